export * from './secure-event-bus';
export * from './reliable-route';
