export * from './booking-fan-out';
export * from './booking-fan-out-stack';
