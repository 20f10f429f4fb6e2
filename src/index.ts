export * from './core';
export * from './pattern-matching';
export * from './blueprints/kit';
export * from './blueprints/error-to-ticket';
export * from './blueprints/cloudtrail-audit';
export * from './blueprints/order-to-inventory';
export * from './blueprints/booking-fan-out';
export * from './testing';
