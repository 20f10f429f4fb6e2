export * from './order-to-inventory';
export * from './order-to-inventory-stack';
