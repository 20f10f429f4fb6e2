export * from './blueprint-function';
export * from './blueprint-props';
export * from './handler-delivery';
export * from './api-destination-target';
export * from './ingestion-pipe';
