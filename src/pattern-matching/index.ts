/**
 * @deprecated The pattern engine moved to `src/patterns/` (the folder of the `patterns` submodule). Import it from the
 * package root (`patterns.EventPatternEngine`) or from `cdk-eventbridge-blueprints/lib/patterns`; this TypeScript-only
 * path, `cdk-eventbridge-blueprints/lib/pattern-matching`, re-exports it for one more minor release.
 */
export * from '../patterns';
