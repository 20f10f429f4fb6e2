export * from './secure-event-bus';
export * from './reliable-route';
export * from './event-pattern-validation';
export * from './schema-registry';
export * from './schema-definition';
export * from './event-schema';
export * from './schema-discoverer';
export * from './event-contract';
