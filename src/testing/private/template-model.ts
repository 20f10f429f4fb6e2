import { AppBus } from './app-bus';
import { CfnValues, MAX_DEPTH, Unresolved, ValueEnv, resourcePath } from './cfn-values';
import { DEFAULT_MAX_EVENT_AGE_SECONDS, DEFAULT_RETRY_ATTEMPTS } from '../../private/retry-bounds';
import { TargetInputConfig } from '../input-transformer';

/** One stack of the app, with its environment already decided. */
export interface ModelStack {
  /** The CloudFormation stack name. */
  readonly stackName: string;
  /** A unique id of the stack in the app: its construct path (`Dev/Platform`), or the stack name. */
  readonly stackId: string;
  readonly template: any;
  readonly env: ValueEnv;
  /** Logical ID → construct path, when the construct tree is at hand (else `aws:cdk:path` metadata is used). */
  readonly paths?: Map<string, string>;
  /** Logical ID → construct path from the cloud assembly manifest, to find resources bound by construct path. */
  readonly constructPaths?: Map<string, string>;
}

export interface ModelBus extends AppBus {
  readonly partition: string;
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
  /** Whether the target has a `RoleArn`. */
  hasRole: boolean;
  /** Set when the target is an event bus: its key. */
  busKey?: string;
  /** The account and region of the target resource, when known offline (a literal ARN, or a resource of the stack). */
  account?: string;
  region?: string;
  /** The `RetryPolicy` values as written in the template (checked against the API's ranges). */
  rawRetryAttempts?: any;
  rawMaxEventAge?: any;
  /** Whether the dead-letter queue is a FIFO queue (a `.fifo` ARN, or `FifoQueue: true` on the queue resource). */
  deadLetterFifo: boolean;
  /** The region of the dead-letter queue, when known offline. */
  deadLetterRegion?: string;
}

export interface ModelRule {
  key: string;
  logicalId: string;
  path: string;
  name?: string;
  stackName: string;
  stackId: string;
  stack: ModelStack;
  bus: ModelBus;
  state: string;
  pattern?: any;
  scheduleExpression?: string;
  targets: ModelTarget[];
  /** The values of the event pattern only known at deploy time, with why (`${Ref:Bucket}: Ref Bucket is ...`). */
  unresolvedPatternValues: string[];
}

/**
 * Values the user gives for what only deploy time knows: the key is a resource's construct path, logical ID or
 * `<stack>/<logicalId>` (its `Ref`), with `.Attr` appended for a `Fn::GetAtt` (`Stack/Bucket.Arn`).
 */
export type DeployTimeValues = { [key: string]: string };

const BUS_ARN = /^arn:([^:]+):events:([^:]*):([^:]*):event-bus\/(.+)$/;

/** Parses an event bus ARN. */
export function parseBusArn(arn: string): { partition: string; region: string; account: string; name: string } | undefined {
  const m = BUS_ARN.exec(arn);
  return m ? { partition: m[1], region: m[2], account: m[3], name: m[4] } : undefined;
}

export function busKey(account: string, region: string, name: string): string {
  return `${account}/${region}/${name}`;
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
    if ('Fn::ImportValue' in value && typeof value['Fn::ImportValue'] === 'string') {
      return `\${ImportValue:${value['Fn::ImportValue']}}`;
    }
  }
  return `\${Token:${JSON.stringify(value)}}`;
}

function isTrue(value: any): boolean {
  return value === true || value === 'true';
}

/**
 * Loads the buses, rules and targets of the CloudFormation templates of a whole app: every bus is identified by
 * account, region and name, and `EventBusName` / target ARNs are resolved through `Ref`, `Fn::GetAtt`,
 * `Fn::ImportValue` (the exporting stack's outputs), `Fn::Join`, `Fn::Sub`, `Fn::Select` / `Fn::Split` and the
 * pseudo parameters of each stack's environment (`CfnValues`, shared with the Custom Event Bus model).
 */
export class TemplateModel {
  public readonly buses: ModelBus[] = [];
  public readonly rules: ModelRule[] = [];
  public readonly warnings: string[] = [];
  private readonly busByKey = new Map<string, ModelBus>();
  private readonly values: CfnValues<ModelStack>;
  private readonly bindings: Map<string, string>;
  /** The binding keys that some reference used. */
  public readonly usedBindings = new Set<string>();

  constructor(private readonly stacks: ModelStack[], bindings: DeployTimeValues = {}) {
    this.bindings = new Map(Object.entries(bindings));
    for (const stack of stacks) {
      this.defaultBus(stack.env);
    }
    this.values = new CfnValues(stacks, (stack, logicalId, attribute) => this.resourceValue(stack, logicalId, attribute), {
      resolveStackName: true,
      parameterValue: (stack, name) => this.boundValue(stack, name, undefined),
    });
    this.warnings.push(...this.values.warnings);
    for (const stack of stacks) {
      this.loadBuses(stack);
    }
    for (const stack of stacks) {
      this.loadRules(stack);
    }
  }

  public bus(key: string): ModelBus | undefined {
    return this.busByKey.get(key);
  }

  /** The bus with this key, created as an external bus if the app does not define it. */
  public busAt(account: string, region: string, name: string, partition: string): ModelBus {
    const key = busKey(account, region, name);
    let bus = this.busByKey.get(key);
    if (!bus) {
      bus = { key, name, account, region, partition, arn: `arn:${partition}:events:${region}:${account}:event-bus/${name}`, external: true };
      this.busByKey.set(key, bus);
      this.buses.push(bus);
    }
    return bus;
  }

  private defaultBus(env: ValueEnv): ModelBus {
    return this.busAt(env.account, env.region, 'default', env.partition);
  }

  /** The construct path of a resource (or `<stack>/<logicalId>` when the app has no path metadata). */
  public pathOf(stack: ModelStack, logicalId: string): string {
    return resourcePath(stack, logicalId);
  }

  private loadBuses(stack: ModelStack): void {
    const resources = stack.template?.Resources ?? {};
    for (const [logicalId, resource] of Object.entries<any>(resources)) {
      if (resource?.Type !== 'AWS::Events::EventBus') {
        continue;
      }
      const resolved = this.resolveString(stack, resource.Properties?.Name);
      let name: string;
      if (resolved instanceof Unresolved) {
        name = logicalId;
        this.warnings.push(`event bus ${this.pathOf(stack, logicalId)}: its Name cannot be resolved offline (${resolved.reason}); the router calls it "${logicalId}"`);
      } else {
        name = resolved;
      }
      const key = busKey(stack.env.account, stack.env.region, name);
      const existing = this.busByKey.get(key);
      if (existing && !existing.external) {
        throw new Error(`event bus ${this.pathOf(stack, logicalId)} and ${existing.path} are both named "${name}" in account ${stack.env.account}, region ${stack.env.region}: a bus name is unique per account and region`);
      }
      const bus: ModelBus = {
        key,
        name,
        account: stack.env.account,
        region: stack.env.region,
        partition: stack.env.partition,
        arn: `arn:${stack.env.partition}:events:${stack.env.region}:${stack.env.account}:event-bus/${name}`,
        logicalId,
        stackName: stack.stackName,
        stackId: stack.stackId,
        path: this.pathOf(stack, logicalId),
        external: false,
      };
      if (existing) {
        this.buses.splice(this.buses.indexOf(existing), 1, bus);
      } else {
        this.buses.push(bus);
      }
      this.busByKey.set(key, bus);
    }
  }

  /** The bus a `Ref` / `Fn::GetAtt` points at, if it is an `AWS::Events::EventBus` of this stack. */
  private busResource(stack: ModelStack, logicalId: string): ModelBus | undefined {
    if (stack.template?.Resources?.[logicalId]?.Type !== 'AWS::Events::EventBus') {
      return undefined;
    }
    return this.buses.find((b) => b.logicalId === logicalId && b.stackId === stack.stackId);
  }

  /**
   * Resolves a value that must be a string. Returns `Unresolved` (with the reason) for parameters, custom resources
   * and any other value only known at deploy time.
   */
  private resolveString(stack: ModelStack, value: any): string | Unresolved {
    return this.values.resolve(stack, value);
  }

  /** A `Ref` (attribute undefined) or `Fn::GetAtt` of a resource: a bus of the app, a bound value, or unresolved. */
  private resourceValue(stack: ModelStack, logicalId: string, attribute: string | undefined): string | Unresolved {
    const bus = this.busResource(stack, logicalId);
    if (bus && (attribute === undefined || attribute === 'Name')) {
      return bus.name;
    }
    if (bus && attribute === 'Arn') {
      return bus.arn;
    }
    const bound = this.boundValue(stack, logicalId, attribute);
    if (bound !== undefined) {
      return bound;
    }
    if (attribute === undefined) {
      return new Unresolved(`Ref ${logicalId} is ${stack.template?.Resources?.[logicalId]?.Type ?? 'an unknown name'}, known only at deploy time`);
    }
    const type = stack.template?.Resources?.[logicalId]?.Type ?? 'an unknown resource';
    return new Unresolved(`Fn::GetAtt ${logicalId}.${attribute} of ${type} is known only at deploy time`);
  }

  /** The value the user bound to a resource's `Ref` (attr undefined) or `Fn::GetAtt` attribute. */
  private boundValue(stack: ModelStack, logicalId: string, attr: string | undefined): string | undefined {
    if (this.bindings.size === 0) {
      return undefined;
    }
    const names = [logicalId, `${stack.stackId}/${logicalId}`, `${stack.stackName}/${logicalId}`, this.pathOf(stack, logicalId)];
    for (const full of [stack.paths?.get(logicalId), stack.template?.Resources?.[logicalId]?.Metadata?.['aws:cdk:path'], stack.constructPaths?.get(logicalId)]) {
      if (typeof full === 'string') {
        names.push(full);
      }
    }
    for (const name of names) {
      const key = attr === undefined ? name : `${name}.${attr}`;
      const value = this.bindings.get(key);
      if (value !== undefined) {
        this.usedBindings.add(key);
        return value;
      }
    }
    return undefined;
  }

  /** Resolves intrinsics in a JSON value where possible; others become readable token strings. */
  public resolveDeep(stack: ModelStack, value: any, unresolved?: string[]): any {
    if (value === null || typeof value !== 'object') {
      return value;
    }
    if (Array.isArray(value)) {
      return value.map((v) => this.resolveDeep(stack, v, unresolved));
    }
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      const r = this.resolveString(stack, value);
      if (r instanceof Unresolved) {
        const text = this.placeholder(stack, value, 0);
        unresolved?.push(`${text} (${r.reason})`);
        return text;
      }
      return r;
    }
    const out: any = {};
    for (const k of keys) {
      out[k] = this.resolveDeep(stack, value[k], unresolved);
    }
    return out;
  }

  /**
   * The placeholder of an unresolved value, the same wherever the value is used: an `Fn::ImportValue` of an
   * export of the app is written as the exported value (`${Ref:Bucket}` in both stacks).
   */
  private placeholder(stack: ModelStack, value: any, depth: number): string {
    const name = value?.['Fn::ImportValue'];
    if (name !== undefined && depth < MAX_DEPTH) {
      const resolvedName = this.resolveString(stack, name);
      const exported = resolvedName instanceof Unresolved ? undefined : this.values.exported(stack, resolvedName);
      if (exported && exported.value !== null && typeof exported.value === 'object') {
        return this.placeholder(exported.stack, exported.value, depth + 1);
      }
    }
    return tokenText(value);
  }

  /** The bus of a rule's `EventBusName` (a name or an ARN), or why it cannot be known offline. */
  private ruleBus(stack: ModelStack, eventBusName: any): ModelBus | Unresolved {
    const env = stack.env;
    if (eventBusName === undefined || eventBusName === null) {
      return this.defaultBus(env);
    }
    const resolved = this.resolveString(stack, eventBusName);
    if (resolved instanceof Unresolved) {
      return resolved;
    }
    const arn = parseBusArn(resolved);
    if (arn) {
      return this.busAt(arn.account, arn.region, arn.name, arn.partition);
    }
    if (resolved.startsWith('arn:')) {
      return new Unresolved(`"${resolved}" is not an event bus ARN`);
    }
    return this.busAt(env.account, env.region, resolved, env.partition);
  }

  private loadRules(stack: ModelStack): void {
    const resources = stack.template?.Resources ?? {};
    for (const [logicalId, resource] of Object.entries<any>(resources)) {
      if (resource?.Type !== 'AWS::Events::Rule') {
        continue;
      }
      const path = this.pathOf(stack, logicalId);
      const p = resource.Properties ?? {};
      let pattern = p.EventPattern;
      if (typeof pattern === 'string') {
        try {
          pattern = JSON.parse(pattern);
        } catch (e) {
          throw new Error(`rule ${path}: EventPattern is not valid JSON: ${(e as Error).message}`);
        }
      }
      const unresolvedPatternValues: string[] = [];
      if (pattern !== undefined) {
        pattern = this.resolveDeep(stack, pattern, unresolvedPatternValues);
      }
      const bus = this.ruleBus(stack, p.EventBusName);
      if (bus instanceof Unresolved) {
        this.warnings.push(`rule ${path}: its event bus cannot be resolved offline (${bus.reason}); the router does not route to it`);
        continue;
      }
      const name = p.Name === undefined ? undefined : this.resolveString(stack, p.Name);
      this.rules.push({
        key: `${stack.stackId}/${logicalId}`,
        logicalId,
        path,
        name: typeof name === 'string' ? name : undefined,
        stackName: stack.stackName,
        stackId: stack.stackId,
        stack,
        bus,
        state: typeof p.State === 'string' ? p.State : 'ENABLED',
        pattern,
        scheduleExpression: typeof p.ScheduleExpression === 'string' ? p.ScheduleExpression : undefined,
        targets: (Array.isArray(p.Targets) ? p.Targets : []).map((t: any, i: number) => this.loadTarget(stack, path, t, i)),
        unresolvedPatternValues,
      });
    }
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

  private loadTarget(stack: ModelStack, rulePath: string, t: any, index: number): ModelTarget {
    const resources = stack.template?.Resources ?? {};
    const logicalId = this.referencedResource(stack, t.Arn);
    const arnResolved = this.resolveString(stack, t.Arn);
    const arn = arnResolved instanceof Unresolved ? tokenText(t.Arn) : arnResolved;
    const id = typeof t.Id === 'string' ? t.Id : `Target${index}`;
    const dlqLogicalId = t.DeadLetterConfig?.Arn !== undefined ? this.referencedResource(stack, t.DeadLetterConfig.Arn) : undefined;
    const dlqResolved = t.DeadLetterConfig?.Arn !== undefined ? this.resolveDeep(stack, t.DeadLetterConfig.Arn) : undefined;
    const text = (v: any) => (v === undefined ? undefined : typeof v === 'string' ? v : String(this.resolveDeep(stack, v)));
    const it = t.InputTransformer;
    const pathsMap = it?.InputPathsMap ? this.resolveDeep(stack, it.InputPathsMap) : undefined;
    const busArn = parseBusArn(arn);
    const busTarget = busArn ? this.busAt(busArn.account, busArn.region, busArn.name, busArn.partition) : undefined;
    const resourceType = logicalId ? resources[logicalId].Type : 'external';
    const where = this.placeOf(stack, arnResolved instanceof Unresolved ? undefined : arnResolved, logicalId);
    const dlqArnText = typeof dlqResolved === 'string' ? dlqResolved : undefined;
    const dlqWhere = dlqResolved === undefined ? {} : this.placeOf(stack, dlqArnText, dlqLogicalId);
    const dlqFifo = (dlqArnText !== undefined && dlqArnText.endsWith('.fifo'))
      || (dlqLogicalId !== undefined && isTrue(resources[dlqLogicalId]?.Properties?.FifoQueue));
    if (arnResolved instanceof Unresolved && (resourceType === 'external' || resourceType === 'AWS::Events::EventBus')) {
      this.warnings.push(`rule ${rulePath}, target ${id}: its ARN cannot be resolved offline (${arnResolved.reason}); if it is an event bus, the router does not follow it`);
    }
    return {
      id,
      arn,
      logicalId,
      resourceType: busTarget && !logicalId ? 'AWS::Events::EventBus' : resourceType,
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
      hasRole: t.RoleArn !== undefined,
      busKey: busTarget?.key,
      account: where.account,
      region: where.region,
      rawRetryAttempts: t.RetryPolicy?.MaximumRetryAttempts,
      rawMaxEventAge: t.RetryPolicy?.MaximumEventAgeInSeconds,
      deadLetterFifo: dlqFifo,
      deadLetterRegion: dlqWhere.region,
    };
  }

  /**
   * Where a resource is: the account and region of a literal ARN (empty fields are unknown), else those of the
   * stack when the ARN refers to one of its resources (a `Ref` / `Fn::GetAtt` is always in the stack's environment).
   */
  private placeOf(stack: ModelStack, arn: string | undefined, logicalId: string | undefined): { account?: string; region?: string } {
    if (arn !== undefined) {
      const parts = arn.split(':');
      if (parts.length >= 6 && parts[0] === 'arn') {
        return { region: parts[3] === '' ? undefined : parts[3], account: parts[4] === '' ? undefined : parts[4] };
      }
    }
    return logicalId !== undefined ? { account: stack.env.account, region: stack.env.region } : {};
  }

  /** Every stack's resources of a type, with their stack. */
  public resourcesOfType(type: string): Array<{ stack: ModelStack; logicalId: string; resource: any }> {
    const out: Array<{ stack: ModelStack; logicalId: string; resource: any }> = [];
    for (const stack of this.stacks) {
      for (const [logicalId, resource] of Object.entries<any>(stack.template?.Resources ?? {})) {
        if (resource?.Type === type) {
          out.push({ stack, logicalId, resource });
        }
      }
    }
    return out;
  }

  /** Resolves a value to a string, or undefined when it is only known at deploy time. */
  public tryResolveString(stack: ModelStack, value: any): string | undefined {
    const r = this.resolveString(stack, value);
    return r instanceof Unresolved ? undefined : r;
  }
}
