export * from './lead-event-format';
export * from './marketing-delivery';
export * from './saas-crm';
export * from './saas-crm-stack';
