export * from './blueprint-function';
export * from './ingestion-pipe';
