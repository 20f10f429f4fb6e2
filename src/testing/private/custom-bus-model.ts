/**
 * Reads the Custom Event Bus resources (`AWS::EventsV2::EventBus`, `AWS::EventsV2::Subscriber`) of the CloudFormation
 * templates of a whole app into plain values for the offline router. Pure: no aws-cdk-lib.
 *
 * A bus is identified by account, region and name, as its ARN (`arn:<partition>:events:<region>:<account>:event-busv2/
 * <name>/<id>`) says: a subscriber in another stack, another Stage or another account that names the bus by
 * cross-stack reference (`Fn::ImportValue`), by an ARN string or by an ARN built with `Fn::Join` / `Fn::Sub` is on
 * the bus that the app defines with that account, region and name. The service-generated `<id>` is not known before
 * deployment: the router writes the logical ID in its place and ignores the id when it compares ARNs.
 */
import { AppBus } from './app-bus';
import { CfnValues, Unresolved, ValueEnv, describeValue, resourcePath, urlSuffix } from './cfn-values';
import { MAX_JSONATA_EXPRESSION_LENGTH } from '../../private/jsonata-text';

/** EventBridge's retry defaults for a subscriber without `RetryPolicy` (user guide, eb-custom-bus-retry). */
const SUBSCRIBER_DEFAULT_RETRY_ATTEMPTS = 5;
const SUBSCRIBER_DEFAULT_MAX_EVENT_AGE_SECONDS = 300;


export interface CustomBusStack {
  readonly stackName: string;
  /** A unique id of the stack in the app: its construct path, or the stack name. */
  readonly stackId?: string;
  readonly template: any;
  readonly env?: { account?: string; region?: string };
  /** Logical ID → construct path, when the construct tree is at hand (else `aws:cdk:path` metadata is used). */
  readonly paths?: Map<string, string>;
}

export interface ModelCustomBus extends AppBus {
  /** How the router names the bus in messages: its construct path, or its ARN when the app does not define it. */
  readonly label: string;
}

export interface ModelSubscriber {
  readonly logicalId: string;
  readonly stackName: string;
  readonly stackId: string;
  readonly path: string;
  readonly name: string;
  readonly arn: string;
  readonly bus: ModelCustomBus;
  readonly ordering: string;
  readonly enabled: boolean;
  readonly filters: Array<{ scope: string; pattern: string }>;
  readonly transformerType: string;
  readonly expression?: string;
  readonly targetArn: string;
  readonly targetLogicalId?: string;
  readonly targetResourceType: string;
  readonly maxRetryAttempts: number;
  readonly maxEventAgeInSeconds: number;
  readonly retryPolicyIsDefault: boolean;
  readonly deadLetterQueueArn?: string;
  readonly deadLetterQueueLogicalId?: string;
}

/**
 * Renders a CloudFormation value as a string for display: literals as they are, `Ref` as `${Ref:X}`, `Fn::GetAtt` as
 * `${GetAtt:X.Attr}`, `Fn::Join` joined, pseudo parameters from `env`.
 */
function renderString(value: any, env: ValueEnv): string {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') {
      switch (value.Ref) {
        case 'AWS::Partition': return env.partition;
        case 'AWS::Region': return env.region;
        case 'AWS::AccountId': return env.account;
        case 'AWS::URLSuffix': return urlSuffix(env.partition);
        default: return `\${Ref:${value.Ref}}`;
      }
    }
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) {
      return `\${GetAtt:${getAtt.join('.')}}`;
    }
    const join = value['Fn::Join'];
    if (Array.isArray(join) && Array.isArray(join[1])) {
      return join[1].map((part: any) => renderString(part, env)).join(String(join[0]));
    }
  }
  return JSON.stringify(value);
}

/** The logical ID a `Ref` or `Fn::GetAtt` points to, if any. */
function referencedLogicalId(value: any): string | undefined {
  if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string' && !value.Ref.startsWith('AWS::')) {
      return value.Ref;
    }
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
      return getAtt[0];
    }
  }
  return undefined;
}

const BUS_V2_ARN = /^arn:([^:]+):events:([^:]+):([^:]+):event-busv2\/([^/]+)\/([^/]+)$/;

/** Parses a Custom Event Bus ARN (the `<id>` is ignored: the app cannot know it before deployment). */
export function parseCustomBusArn(arn: string): { partition: string; region: string; account: string; name: string } | undefined {
  const m = BUS_V2_ARN.exec(arn);
  return m ? { partition: m[1], region: m[2], account: m[3], name: m[4] } : undefined;
}

export function customBusKey(account: string, region: string, name: string): string {
  return `${account}/${region}/${name}`;
}

/**
 * Reads every Custom Event Bus and subscriber of the stacks. Each stack is in its own account and region (its `env`),
 * the defaults placing the stacks that do not say.
 */
export function readCustomBusModel(stacks: CustomBusStack[], defaults: ValueEnv): {
  buses: ModelCustomBus[]; subscribers: ModelSubscriber[]; warnings: string[];
} {
  const placed: PlacedStack[] = stacks.map((stack) => ({
    ...stack,
    stackId: stack.stackId ?? stack.stackName,
    env: { account: stack.env?.account ?? defaults.account, region: stack.env?.region ?? defaults.region, partition: defaults.partition },
  }));
  const model: ModelState = { buses: [], byKey: new Map(), byResource: new Map(), warnings: [] };
  const values = new CfnValues(placed, (stack, logicalId, attribute) => {
    const bus = model.byResource.get(`${stack.stackId}/${logicalId}`);
    if (bus && (attribute === undefined || attribute === 'EventBusArn' || attribute === 'Arn')) {
      return bus.arn;
    }
    if (bus && (attribute === 'Name' || attribute === 'EventBusName')) {
      return bus.name;
    }
    const type = stack.template?.Resources?.[logicalId]?.Type ?? 'an unknown resource';
    return new Unresolved(`${attribute === undefined ? `Ref ${logicalId}` : `Fn::GetAtt ${logicalId}.${attribute}`} of ${type} is known only at deploy time`);
  });

  for (const stack of placed) {
    for (const [logicalId, resource] of Object.entries<any>(stack.template?.Resources ?? {})) {
      if (resource?.Type === 'AWS::EventsV2::EventBus') readBus(model, values, stack, logicalId, resource);
    }
  }
  model.warnings.push(...values.warnings);

  const subscribers: ModelSubscriber[] = [];
  for (const stack of placed) {
    for (const [logicalId, resource] of Object.entries<any>(stack.template?.Resources ?? {})) {
      if (resource?.Type !== 'AWS::EventsV2::Subscriber') continue;
      const subscriber = readSubscriber(model, values, stack, logicalId, resource);
      if (subscriber) subscribers.push(subscriber);
    }
  }
  return { buses: model.buses, subscribers, warnings: model.warnings };
}

/** A stack with its id and its account, region and partition filled in. */
type PlacedStack = CustomBusStack & { stackId: string; env: { account: string; region: string; partition: string } };

/** What reading the templates builds up: the buses (by account/region/name and by resource) and the warnings. */
interface ModelState {
  readonly buses: ModelCustomBus[];
  readonly byKey: Map<string, ModelCustomBus>;
  /** `stackId/logicalId` → the bus an `AWS::EventsV2::EventBus` resource defines. */
  readonly byResource: Map<string, ModelCustomBus>;
  readonly warnings: string[];
}

/** An `AWS::EventsV2::EventBus` resource: the bus it defines, once per account, region and name. */
function readBus(model: ModelState, values: CfnValues<PlacedStack>, stack: PlacedStack, logicalId: string, resource: any): void {
  const path = resourcePath(stack, logicalId);
  const resolved = values.resolve(stack, resource.Properties?.Name);
  let name = logicalId;
  if (resolved instanceof Unresolved) {
    model.warnings.push(`Custom Event Bus ${path}: its Name cannot be resolved offline (${resolved.reason}); the router calls it "${logicalId}"`);
  } else {
    name = resolved;
  }
  const { account, region, partition } = stack.env;
  const key = customBusKey(account, region, name);
  const bus: ModelCustomBus = {
    key,
    label: path,
    name,
    arn: `arn:${partition}:events:${region}:${account}:event-busv2/${name}/${logicalId.toLowerCase()}`,
    account,
    region,
    external: false,
    logicalId,
    stackName: stack.stackName,
    stackId: stack.stackId,
    path,
  };
  if (model.byKey.has(key)) {
    model.warnings.push(`Custom Event Bus ${path}: account ${account}, region ${region} already has a bus named "${name}" (${model.byKey.get(key)!.label}); the router keeps the first`);
  } else {
    model.byKey.set(key, bus);
    model.buses.push(bus);
  }
  model.byResource.set(`${stack.stackId}/${logicalId}`, model.byKey.get(key)!);
}

/** An `AWS::EventsV2::Subscriber` resource, on a bus of the app or an external one; undefined when its bus is unknown. */
function readSubscriber(model: ModelState, values: CfnValues<PlacedStack>, stack: PlacedStack, logicalId: string,
  resource: any): ModelSubscriber | undefined {
  const env = stack.env;
  const resources: { [id: string]: any } = stack.template?.Resources ?? {};
  const path = resourcePath(stack, logicalId);
  const props = resource.Properties ?? {};
  const busArn = values.resolve(stack, props.EventBusArn);
  if (busArn instanceof Unresolved) {
    model.warnings.push(`subscriber ${path}: its event bus cannot be resolved offline (${busArn.reason}); the router does not route to it`);
    return undefined;
  }
  const parsed = parseCustomBusArn(busArn);
  if (!parsed) {
    model.warnings.push(`subscriber ${path}: EventBusArn ${describeValue(busArn)} is not a Custom Event Bus ARN (arn:<partition>:events:<region>:<account>:event-busv2/<name>/<id>); the router does not route to it`);
    return undefined;
  }
  const key = customBusKey(parsed.account, parsed.region, parsed.name);
  let bus = model.byKey.get(key);
  if (!bus) {
    bus = { key, label: busArn, name: parsed.name, arn: busArn, account: parsed.account, region: parsed.region, external: true };
    model.byKey.set(key, bus);
    model.buses.push(bus);
  }
  const name = typeof props.Name === 'string' ? props.Name : logicalId;
  const invoke = props.InvokeConfiguration ?? {};
  const targetLogicalId = referencedLogicalId(invoke.TargetArn);
  const retry = props.RetryPolicy;
  const dlq = props.OnFailureConfiguration?.Arn;
  const expression = props.Transformer?.JsonataConfiguration?.Expression;
  if (typeof expression === 'string' && expression.length > MAX_JSONATA_EXPRESSION_LENGTH) {
    model.warnings.push(`subscriber ${path}: its JSONata expression has ${expression.length} characters, more than the ${MAX_JSONATA_EXPRESSION_LENGTH} EventBridge takes (https://docs.aws.amazon.com/eventbridgev2/latest/APIReference/API_JsonataConfiguration.html): the template cannot deploy`);
  }
  return {
    logicalId,
    stackName: stack.stackName,
    stackId: stack.stackId,
    path,
    name,
    // The subscriber lives in the account and region of its stack (a subscriber of a shared bus in another one).
    arn: `arn:${env.partition}:events:${env.region}:${env.account}:subscriber/${name}/${logicalId.toLowerCase()}`,
    bus,
    ordering: props.Type === 'FIFO' ? 'FIFO' : 'UNORDERED',
    enabled: props.State !== 'STOPPED',
    filters: (props.FilterConfiguration?.Filters ?? []).map((f: any) => ({ scope: String(f.Scope), pattern: renderString(f.Pattern, env) })),
    transformerType: props.Transformer?.Type ?? 'RAW',
    expression,
    targetArn: renderString(invoke.TargetArn, env),
    targetLogicalId: targetLogicalId && resources[targetLogicalId] ? targetLogicalId : undefined,
    targetResourceType: targetLogicalId && resources[targetLogicalId] ? resources[targetLogicalId].Type : 'external',
    maxRetryAttempts: retry?.MaxRetryAttempts ?? SUBSCRIBER_DEFAULT_RETRY_ATTEMPTS,
    maxEventAgeInSeconds: retry?.MaxEventAgeInSeconds ?? SUBSCRIBER_DEFAULT_MAX_EVENT_AGE_SECONDS,
    retryPolicyIsDefault: retry === undefined,
    deadLetterQueueArn: dlq === undefined ? undefined : renderString(dlq, env),
    deadLetterQueueLogicalId: referencedLogicalId(dlq),
  };
}
