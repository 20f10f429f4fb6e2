import { Stack } from 'aws-cdk-lib';
import { RouteAssertions } from '../src/testing';

/**
 * The synthesized template of a stack with asset hashes replaced, for snapshots that do not change when a
 * handler's bundle changes (the library's public `RouteAssertions.normalizedTemplate`).
 */
export function stableTemplate(stack: Stack): any {
  return RouteAssertions.normalizedTemplate(stack);
}
