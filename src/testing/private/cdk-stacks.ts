import { CfnElement, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RawStack } from './cloud-assembly';

/**
 * The stacks of a CDK app in the shape the routers read from a cloud assembly: each stack's template, its account
 * and region when they are known, and the construct path of each of its resources; and the construct paths of the
 * environment-agnostic stacks. Used by `EventRouter.fromStacks` and `CustomBusRouter.fromStacks`.
 */
export function readCdkStacks(stacks: Stack[]): { stacks: RawStack[]; agnostic: string[] } {
  const agnostic: string[] = [];
  const raw = stacks.map((stack): RawStack => {
    const account = Token.isUnresolved(stack.account) ? undefined : stack.account;
    const region = Token.isUnresolved(stack.region) ? undefined : stack.region;
    if (account === undefined || region === undefined) {
      agnostic.push(stack.node.path);
    }
    const paths = new Map<string, string>();
    for (const c of stack.node.findAll()) {
      if (CfnElement.isCfnElement(c) && Stack.of(c) === stack) {
        paths.set(stack.resolve((c as CfnElement).logicalId), c.node.path);
      }
    }
    return { stackName: stack.stackName, stackId: stack.node.path, template: Template.fromStack(stack).toJSON(), account, region, paths };
  });
  return { stacks: raw, agnostic };
}
