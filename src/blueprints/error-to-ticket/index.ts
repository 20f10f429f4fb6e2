export * from './ticket-delivery';
export * from './error-to-ticket';
export * from './error-to-ticket-stack';
