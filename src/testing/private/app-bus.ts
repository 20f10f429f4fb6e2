import type { RouterEventBus } from '../event-router';

/**
 * What both models know of a bus (Classic `AWS::Events::EventBus`, Custom Event Bus `AWS::EventsV2::EventBus`): a
 * bus is identified by account, region and name.
 */
export interface AppBus extends RouterEventBus {
  /** `account/region/name`. */
  readonly key: string;
  /** The construct path of the stack that defines the bus. */
  readonly stackId?: string;
}

/** A bus of either model as the routers' `buses` list it. */
export function routerEventBus(b: AppBus): RouterEventBus {
  return {
    name: b.name,
    arn: b.arn,
    account: b.account,
    region: b.region,
    external: b.external,
    logicalId: b.logicalId,
    stackName: b.stackName,
    path: b.path,
  };
}

/**
 * The bus that `wanted` names by construct path (with or without `/Resource`), `<stack>/<logicalId>` or logical ID,
 * if one does. `what` names the kind of bus in the error for a logical ID that several stacks have.
 */
export function busByResource<B extends AppBus>(buses: B[], wanted: string, what: string): B | undefined {
  const bare = wanted.endsWith('/Resource') ? wanted.slice(0, -'/Resource'.length) : wanted;
  const byPath = buses.filter((b) => b.path === bare || (b.logicalId !== undefined
    && (`${b.stackId}/${b.logicalId}` === wanted || `${b.stackName}/${b.logicalId}` === wanted)));
  if (byPath.length === 1) {
    return byPath[0];
  }
  const byLogicalId = buses.filter((b) => b.logicalId === wanted);
  if (byLogicalId.length === 1) {
    return byLogicalId[0];
  }
  if (byLogicalId.length > 1) {
    throw new Error(`${what} "${wanted}" is ambiguous: it is the logical ID of a bus in ${byLogicalId.map((b) => b.stackId).join(', ')}; use "<stack>/${wanted}", the construct path or the ARN`);
  }
  return undefined;
}

/**
 * The bus named `name` in the account and region (undefined: any); undefined when the app has no bus of that name.
 * The router words the errors: several buses of that name there (`ambiguous`, given their `account/region`s), or
 * only elsewhere (`elsewhere`, given where).
 */
export function busNamed<B extends AppBus>(buses: B[], name: string, account: string | undefined, region: string | undefined,
  errors: { ambiguous: (where: string) => string; elsewhere: (where: string) => string }): B | undefined {
  const all = buses.filter((b) => b.name === name);
  const here = all.filter((b) => (account === undefined || b.account === account) && (region === undefined || b.region === region));
  const where = (list: B[]) => list.map((b) => `${b.account}/${b.region}`).join(', ');
  if (here.length === 1) {
    return here[0];
  }
  if (here.length > 1) {
    throw new Error(errors.ambiguous(where(here)));
  }
  if (all.length > 0) {
    throw new Error(errors.elsewhere(where(all)));
  }
  return undefined;
}
