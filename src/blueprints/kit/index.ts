export * from './blueprint-function';
export * from './api-destination-target';
export * from './ingestion-pipe';
