/**
 * Reads the Custom Event Bus resources (`AWS::EventsV2::EventBus`, `AWS::EventsV2::Subscriber`) of CloudFormation
 * templates into plain values for the offline router. Pure: no aws-cdk-lib.
 */

/** EventBridge's retry defaults for a subscriber without `RetryPolicy` (user guide, eb-custom-bus-retry). */
export const SUBSCRIBER_DEFAULT_RETRY_ATTEMPTS = 5;
export const SUBSCRIBER_DEFAULT_MAX_EVENT_AGE_SECONDS = 300;

export interface ModelEnv {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
}

export interface CustomBusStack {
  readonly stackName: string;
  readonly template: any;
  readonly env?: { account?: string; region?: string };
}

export interface ModelCustomBus {
  readonly key: string;
  readonly name: string;
  readonly arn: string;
  readonly logicalId?: string;
  readonly stackName?: string;
}

export interface ModelSubscriber {
  readonly logicalId: string;
  readonly stackName: string;
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
 * Renders a CloudFormation value as a string: literals as they are, `Ref` as `${Ref:X}`, `Fn::GetAtt` as
 * `${GetAtt:X.Attr}`, `Fn::Join` joined, pseudo parameters from `env`.
 */
export function renderString(value: any, env: ModelEnv): string {
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
        case 'AWS::URLSuffix': return 'amazonaws.com';
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
export function referencedLogicalId(value: any): string | undefined {
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

function busFromArn(arn: string): { name: string } | undefined {
  const m = /:event-busv2\/([^/]+)\/[^/]+$/.exec(arn);
  return m ? { name: m[1] } : undefined;
}

/**
 * Reads every Custom Event Bus and subscriber of the stacks.
 */
export function readCustomBusModel(stacks: CustomBusStack[], defaults: ModelEnv): { buses: ModelCustomBus[]; subscribers: ModelSubscriber[] } {
  const buses: ModelCustomBus[] = [];
  const subscribers: ModelSubscriber[] = [];
  for (const stack of stacks) {
    const env: ModelEnv = {
      account: stack.env?.account ?? defaults.account,
      region: stack.env?.region ?? defaults.region,
      partition: defaults.partition,
    };
    const resources: { [id: string]: any } = stack.template?.Resources ?? {};
    const busById = new Map<string, ModelCustomBus>();
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (resource?.Type !== 'AWS::EventsV2::EventBus') {
        continue;
      }
      const rawName = resource.Properties?.Name;
      const name = typeof rawName === 'string' ? rawName : logicalId;
      const bus: ModelCustomBus = {
        key: `${stack.stackName}/${logicalId}`,
        name,
        arn: `arn:${env.partition}:events:${env.region}:${env.account}:event-busv2/${name}/${logicalId.toLowerCase()}`,
        logicalId,
        stackName: stack.stackName,
      };
      busById.set(logicalId, bus);
      buses.push(bus);
    }
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (resource?.Type !== 'AWS::EventsV2::Subscriber') {
        continue;
      }
      const props = resource.Properties ?? {};
      const busRef = referencedLogicalId(props.EventBusArn);
      let bus = busRef ? busById.get(busRef) : undefined;
      if (!bus) {
        const arn = renderString(props.EventBusArn, env);
        const imported = busFromArn(arn);
        bus = buses.find((b) => b.arn === arn);
        if (!bus) {
          bus = { key: arn, name: imported?.name ?? arn, arn };
          buses.push(bus);
        }
      }
      const name = typeof props.Name === 'string' ? props.Name : logicalId;
      const invoke = props.InvokeConfiguration ?? {};
      const targetLogicalId = referencedLogicalId(invoke.TargetArn);
      const retry = props.RetryPolicy;
      const dlq = props.OnFailureConfiguration?.Arn;
      const filters = (props.FilterConfiguration?.Filters ?? []).map((f: any) => ({
        scope: String(f.Scope),
        pattern: renderString(f.Pattern, env),
      }));
      subscribers.push({
        logicalId,
        stackName: stack.stackName,
        name,
        arn: `arn:${env.partition}:events:${env.region}:${env.account}:subscriber/${name}/${logicalId.toLowerCase()}`,
        bus,
        ordering: props.Type === 'FIFO' ? 'FIFO' : 'UNORDERED',
        enabled: props.State !== 'STOPPED',
        filters,
        transformerType: props.Transformer?.Type ?? 'RAW',
        expression: props.Transformer?.JsonataConfiguration?.Expression,
        targetArn: renderString(invoke.TargetArn, env),
        targetLogicalId: targetLogicalId && resources[targetLogicalId] ? targetLogicalId : undefined,
        targetResourceType: targetLogicalId && resources[targetLogicalId] ? resources[targetLogicalId].Type : 'external',
        maxRetryAttempts: retry?.MaxRetryAttempts ?? SUBSCRIBER_DEFAULT_RETRY_ATTEMPTS,
        maxEventAgeInSeconds: retry?.MaxEventAgeInSeconds ?? SUBSCRIBER_DEFAULT_MAX_EVENT_AGE_SECONDS,
        retryPolicyIsDefault: retry === undefined,
        deadLetterQueueArn: dlq === undefined ? undefined : renderString(dlq, env),
        deadLetterQueueLogicalId: referencedLogicalId(dlq),
      });
    }
  }
  return { buses, subscribers };
}
