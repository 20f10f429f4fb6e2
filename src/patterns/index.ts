// The `patterns` layer: the EventBridge event-pattern engine (its code lives in ../pattern-matching).
export * from '../pattern-matching';
