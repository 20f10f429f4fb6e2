import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * The synthesized template of a stack with asset hashes replaced, for snapshots that do not change when a
 * handler's bundle changes.
 */
export function stableTemplate(stack: Stack): any {
  return JSON.parse(JSON.stringify(Template.fromStack(stack).toJSON())
    .replace(/[0-9a-f]{64}\.zip/g, '[ASSET_HASH].zip')
    .replace(/[0-9a-f]{64}\.json/g, '[ASSET_HASH].json')
    .replace(/"[0-9a-f]{64}"/g, '"[ASSET_HASH]"'));
}
