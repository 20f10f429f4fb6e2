import { existsSync, readFileSync } from 'fs';
import { Stack } from 'aws-cdk-lib';
import { RouteAssertions } from '../src/testing';

/**
 * The synthesized template of a stack with asset hashes replaced, for snapshots that do not change when a
 * handler's bundle changes (the library's public `RouteAssertions.normalizedTemplate`).
 */
export function stableTemplate(stack: Stack): any {
  return RouteAssertions.normalizedTemplate(stack);
}

/**
 * The compiled jsii assembly (`.jsii`, written by `npx projen compile`; `npm run build` compiles before the tests), for
 * tests that read the public API as every language sees it.
 */
export function jsiiAssembly(): { types: Record<string, any> } {
  const path = `${__dirname}/../.jsii`;
  if (!existsSync(path)) throw new Error('.jsii is missing: run `npx projen compile` (or `npm run build`) before this test');
  return JSON.parse(readFileSync(path, 'utf8'));
}
