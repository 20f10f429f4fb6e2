export * from './pattern-problem';
export * from './event-pattern-engine';
export * from './pattern-rule-set';
