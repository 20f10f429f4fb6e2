export * from './saas-crm';
