export * from './input-transformer';
export * from './event-router';
export * from './route-explanation';
export * from './simulation';
export * from './route-assertions';
export * from './event-flow-diagram';
export * from './custom-bus-router';
export * from './flow-diff';
