export * from './blueprint-function';
