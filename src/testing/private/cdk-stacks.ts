import { CfnElement, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RawStack } from './cloud-assembly';

/**
 * The stacks of a CDK app in the shape the routers read from a cloud assembly: each stack's template, its account
 * and region when they are known, and the construct path of each of its resources; and the construct paths of the
 * environment-agnostic stacks. Used by `EventRouter` and `CustomBusRouter` (`fromStacks`, `fromTemplate`).
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

/** Where both routers place environment-agnostic stacks (and templates) when their options do not say. */
export const DEFAULT_ACCOUNT = '123456789012';
export const DEFAULT_REGION = 'us-east-1';

/** The one stack of a router's `fromTemplate`: a template object or an assertions `Template`, or a clear error. */
export function templateStack(template: any, stackName: string | undefined, factory: string): RawStack {
  const json = template && typeof template.toJSON === 'function' ? template.toJSON() : template;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error(`${factory}: template must be a CloudFormation template object or an assertions Template`);
  }
  const name = stackName ?? 'Stack';
  return { stackName: name, stackId: name, template: json };
}

/** The warning that lists the environment-agnostic stacks and where the router placed them (none without any). */
export function agnosticWarnings(agnostic: string[], account: string, region: string): string[] {
  if (agnostic.length === 0) {
    return [];
  }
  const one = agnostic.length === 1;
  return [`${one ? 'stack' : 'stacks'} ${agnostic.join(', ')} ${one ? 'is' : 'are'} environment-agnostic: the router places ${one ? 'it' : 'them'} in account ${account}, region ${region} (set env on the stack, or the router's account and region options)`];
}
