export * from './kit';
export * from './error-to-ticket';
export * from './cloudtrail-audit';
export * from './order-to-inventory';
export * from './booking-fan-out';
export * from './saas-crm';
export * from './market-data';
export * from './iot-devices';
