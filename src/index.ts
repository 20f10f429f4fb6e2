export * from './core';
export * from './pattern-matching';
