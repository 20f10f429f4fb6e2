/**
 * @deprecated The Custom Event Bus constructs moved to `src/core/` (the folder of the `core` submodule they belong to).
 * Import them from the package root (`core.CustomEventBus`) or from `cdk-eventbridge-blueprints/lib/core`; this
 * TypeScript-only path, `cdk-eventbridge-blueprints/lib/custom-bus`, re-exports them for one more minor release.
 */
export * from '../core/custom-event-bus';
export * from '../core/subscriber-options';
export * from '../core/subscriber-target';
export * from '../core/subscriber';
export * from '../core/route-migration';
