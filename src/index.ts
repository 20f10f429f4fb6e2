// The public API in four layers, each a jsii submodule:
//   core       – buses, routes, schema registry, event contracts, the Custom Event Bus and its subscribers
//   blueprints – the blueprint kit (BlueprintFunction) and the blueprints built on it
//   patterns   – the EventBridge event-pattern engine (matching and validation, offline)
//   testing    – the offline event router, assertions, the simulator and diagrams
// TypeScript users can also import a layer directly, e.g. `from 'cdk-eventbridge-blueprints/lib/core'`.
export * as core from './core';
export * as blueprints from './blueprints';
export * as patterns from './patterns';
export * as testing from './testing';
