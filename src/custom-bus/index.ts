export * from './custom-event-bus';
export * from './subscriber-options';
export * from './subscriber-target';
export * from './subscriber';
export * from './route-migration';
