import { TargetInputConfig } from '../input-transformer';

/** EventBridge's retry defaults when a target has no RetryPolicy. */
export const DEFAULT_RETRY_ATTEMPTS = 185;
export const DEFAULT_MAX_EVENT_AGE_SECONDS = 86_400;

export interface ModelEnv {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
}

export interface ModelBus {
  name: string;
  logicalId?: string;
  stackName?: string;
}

export interface ModelTarget {
  id: string;
  arn: string;
  logicalId?: string;
  resourceType: string;
  input: TargetInputConfig;
  retryAttempts: number;
  maxEventAgeSeconds: number;
  retryPolicyIsDefault: boolean;
  deadLetterArn?: string;
  deadLetterLogicalId?: string;
}

export interface ModelRule {
  key: string;
  logicalId: string;
  name?: string;
  stackName: string;
  busName: string;
  state: string;
  pattern?: any;
  scheduleExpression?: string;
  targets: ModelTarget[];
}

export interface ModelStack {
  readonly stackName: string;
  readonly template: any;
  readonly env?: Partial<ModelEnv>;
}

/** Renders an unresolvable intrinsic as a stable, readable string. */
function tokenText(value: any): string {
  if (value && typeof value === 'object') {
    if ('Ref' in value) {
      return `\${Ref:${value.Ref}}`;
    }
    if ('Fn::GetAtt' in value) {
      const a = value['Fn::GetAtt'];
      return `\${GetAtt:${Array.isArray(a) ? a.join('.') : String(a)}}`;
    }
  }
  return `\${Token:${JSON.stringify(value)}}`;
}

/** Loads the buses, rules and targets of CloudFormation templates. */
export class TemplateModel {
  public readonly buses: ModelBus[] = [];
  public readonly rules: ModelRule[] = [];

  constructor(stacks: ModelStack[], private readonly env: ModelEnv) {
    this.buses.push({ name: 'default' });
    for (const stack of stacks) {
      this.loadBuses(stack);
    }
    for (const stack of stacks) {
      this.loadRules(stack);
    }
  }

  private loadBuses(stack: ModelStack): void {
    const resources = stack.template?.Resources ?? {};
    for (const [logicalId, resource] of Object.entries<any>(resources)) {
      if (resource?.Type !== 'AWS::Events::EventBus') {
        continue;
      }
      const name = resource.Properties?.Name;
      this.buses.push({ name: typeof name === 'string' ? name : this.resolve(stack, name) ?? logicalId, logicalId, stackName: stack.stackName });
    }
  }

  /** Resolves intrinsics that can be resolved offline; other values become readable token strings. */
  public resolve(stack: ModelStack, value: any): any {
    if (typeof value === 'string' || value === null || typeof value !== 'object') {
      return value;
    }
    if (Array.isArray(value)) {
      return value.map((v) => this.resolve(stack, v));
    }
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'Ref') {
      const ref = value.Ref;
      const env = { ...this.env, ...(stack.env ?? {}) };
      switch (ref) {
        case 'AWS::AccountId': return env.account;
        case 'AWS::Region': return env.region;
        case 'AWS::Partition': return env.partition;
        case 'AWS::StackName': return stack.stackName;
        case 'AWS::URLSuffix': return 'amazonaws.com';
        default: break;
      }
      const resource = stack.template?.Resources?.[ref];
      if (resource?.Type === 'AWS::Events::EventBus') {
        return this.busOf(stack, ref)?.name ?? tokenText(value);
      }
      return tokenText(value);
    }
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
      const [logicalId, attr] = Array.isArray(value['Fn::GetAtt']) ? value['Fn::GetAtt'] : String(value['Fn::GetAtt']).split('.');
      const resource = stack.template?.Resources?.[logicalId];
      if (resource?.Type === 'AWS::Events::EventBus') {
        const bus = this.busOf(stack, logicalId);
        if (bus && attr === 'Name') {
          return bus.name;
        }
        if (bus && attr === 'Arn') {
          return this.busArn(bus.name, stack);
        }
      }
      return tokenText(value);
    }
    if (keys.length === 1 && keys[0] === 'Fn::Join') {
      const [sep, parts] = value['Fn::Join'];
      if (Array.isArray(parts)) {
        return parts.map((p: any) => {
          const r = this.resolve(stack, p);
          return typeof r === 'string' ? r : tokenText(p);
        }).join(sep);
      }
      return tokenText(value);
    }
    if (keys.length === 1 && keys[0].startsWith('Fn::')) {
      return tokenText(value);
    }
    const out: any = {};
    for (const k of keys) {
      out[k] = this.resolve(stack, value[k]);
    }
    return out;
  }

  public busArn(name: string, stack?: ModelStack): string {
    const env = { ...this.env, ...(stack?.env ?? {}) };
    return `arn:${env.partition}:events:${env.region}:${env.account}:event-bus/${name}`;
  }

  private busOf(stack: ModelStack, logicalId: string): ModelBus | undefined {
    return this.buses.find((b) => b.logicalId === logicalId && b.stackName === stack.stackName);
  }

  /** The first resource of this stack that an ARN expression refers to (Ref, GetAtt, or inside a Join/Sub). */
  private referencedResource(stack: ModelStack, value: any): string | undefined {
    const resources = stack.template?.Resources ?? {};
    if (value === null || typeof value !== 'object') {
      return undefined;
    }
    if (Array.isArray(value)) {
      for (const v of value) {
        const found = this.referencedResource(stack, v);
        if (found) {
          return found;
        }
      }
      return undefined;
    }
    if (typeof value.Ref === 'string' && resources[value.Ref]) {
      return value.Ref;
    }
    if (value['Fn::GetAtt'] !== undefined) {
      const a = value['Fn::GetAtt'];
      const logicalId = Array.isArray(a) ? a[0] : String(a).split('.')[0];
      return resources[logicalId] ? logicalId : undefined;
    }
    if (typeof value['Fn::Sub'] === 'string') {
      const m = /\$\{([A-Za-z0-9]+)(\.[A-Za-z]+)?\}/g;
      let hit: RegExpExecArray | null;
      while ((hit = m.exec(value['Fn::Sub'])) !== null) {
        if (resources[hit[1]]) {
          return hit[1];
        }
      }
      return undefined;
    }
    for (const v of Object.values(value)) {
      const found = this.referencedResource(stack, v);
      if (found) {
        return found;
      }
    }
    return undefined;
  }

  private busNameOf(stack: ModelStack, eventBusName: any): string {
    if (eventBusName === undefined || eventBusName === null) {
      return 'default';
    }
    const resolved = this.resolve(stack, eventBusName);
    if (typeof resolved === 'string') {
      // An ARN: the name is after "event-bus/".
      const arn = /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(resolved);
      return arn ? arn[1] : resolved;
    }
    return tokenText(eventBusName);
  }

  private loadRules(stack: ModelStack): void {
    const resources = stack.template?.Resources ?? {};
    for (const [logicalId, resource] of Object.entries<any>(resources)) {
      if (resource?.Type !== 'AWS::Events::Rule') {
        continue;
      }
      const p = resource.Properties ?? {};
      let pattern = p.EventPattern;
      if (typeof pattern === 'string') {
        try {
          pattern = JSON.parse(pattern);
        } catch (e) {
          throw new Error(`rule ${stack.stackName}/${logicalId}: EventPattern is not valid JSON: ${(e as Error).message}`);
        }
      }
      if (pattern !== undefined) {
        pattern = this.resolve(stack, pattern);
      }
      const name = typeof p.Name === 'string' ? p.Name : (p.Name === undefined ? undefined : this.resolve(stack, p.Name));
      this.rules.push({
        key: `${stack.stackName}/${logicalId}`,
        logicalId,
        name: typeof name === 'string' ? name : undefined,
        stackName: stack.stackName,
        busName: this.busNameOf(stack, p.EventBusName),
        state: typeof p.State === 'string' ? p.State : 'ENABLED',
        pattern,
        scheduleExpression: typeof p.ScheduleExpression === 'string' ? p.ScheduleExpression : undefined,
        targets: (Array.isArray(p.Targets) ? p.Targets : []).map((t: any, i: number) => this.loadTarget(stack, t, i)),
      });
    }
  }

  private loadTarget(stack: ModelStack, t: any, index: number): ModelTarget {
    const resources = stack.template?.Resources ?? {};
    const logicalId = this.referencedResource(stack, t.Arn);
    const arnResolved = this.resolve(stack, t.Arn);
    const arn = typeof arnResolved === 'string' ? arnResolved : tokenText(t.Arn);
    const dlqLogicalId = t.DeadLetterConfig?.Arn !== undefined ? this.referencedResource(stack, t.DeadLetterConfig.Arn) : undefined;
    const dlqResolved = t.DeadLetterConfig?.Arn !== undefined ? this.resolve(stack, t.DeadLetterConfig.Arn) : undefined;
    const text = (v: any) => (v === undefined ? undefined : typeof v === 'string' ? v : String(this.resolve(stack, v)));
    const it = t.InputTransformer;
    const pathsMap = it?.InputPathsMap ? this.resolve(stack, it.InputPathsMap) : undefined;
    return {
      id: typeof t.Id === 'string' ? t.Id : `Target${index}`,
      arn,
      logicalId,
      resourceType: logicalId ? resources[logicalId].Type : 'external',
      input: {
        input: text(t.Input),
        inputPath: text(t.InputPath),
        inputPathsMap: pathsMap,
        inputTemplate: it ? text(it.InputTemplate) ?? '' : undefined,
      },
      retryAttempts: typeof t.RetryPolicy?.MaximumRetryAttempts === 'number' ? t.RetryPolicy.MaximumRetryAttempts : DEFAULT_RETRY_ATTEMPTS,
      maxEventAgeSeconds: typeof t.RetryPolicy?.MaximumEventAgeInSeconds === 'number' ? t.RetryPolicy.MaximumEventAgeInSeconds : DEFAULT_MAX_EVENT_AGE_SECONDS,
      retryPolicyIsDefault: t.RetryPolicy === undefined,
      deadLetterArn: dlqResolved === undefined ? undefined : (typeof dlqResolved === 'string' ? dlqResolved : tokenText(t.DeadLetterConfig.Arn)),
      deadLetterLogicalId: dlqLogicalId,
    };
  }
}
