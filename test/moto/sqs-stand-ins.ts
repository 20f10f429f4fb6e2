/**
 * Turn a synthesized CDK template into one that moto 5.2.1 can create AND route events through.
 *
 * moto's EventBridge delivers only to SQS, CloudWatch Logs, archives and other buses. A Lambda target makes the whole
 * PutEvents call fail (HTTP 500, `NotImplementedError`), and an API destination target is accepted but nothing is
 * recorded (moto makes no HTTP call unless MOTO_EVENTS_INVOKE_HTTP is set, and then without the body). So every rule
 * target whose `Arn` points at such a resource is replaced by a new `AWS::SQS::Queue`, the *stand-in*: same target
 * `Id`, same `Input` / `InputPath` / `InputTransformer`, same `RetryPolicy` / `DeadLetterConfig`. What EventBridge
 * would have delivered to the function (or sent as the HTTP body) arrives as the stand-in queue's message body.
 * The stand-ins are recorded, so a test can ask "which queue stands for function X?".
 *
 * What `prepareForMoto()` changes, and why (found by creating every stack of the example app in moto 5.2.1):
 *
 * | change | why |
 * |---|---|
 * | `Parameters.BootstrapVersion` and `Rules.CheckBootstrapVersion` removed | moto resolves the SSM parameter type and fails (HTTP 500, `'NoneType' object has no attribute 'value'`): nothing is bootstrapped |
 * | `AWS::Events::Archive` gets an explicit, short `ArchiveName` | moto names it `<stack>-<logicalId>-<random>` and then rejects its own name when longer than 48 characters (`ValidationException ... archiveName`); CloudFormation truncates |
 * | `AWS::Lambda::Function` code replaced by an inline `ZipFile` stub | the code is a CDK asset in the bootstrap bucket, which does not exist in moto (`NoSuchBucket`); the function never runs anyway, its rule target is a stand-in |
 * | `AWS::Events::Connection` and `AWS::Events::ApiDestination` removed, with every resource that refers to them (the `AWS::IAM::Policy` allowing `events:InvokeApiDestination`) | moto's CloudFormation has no support for them: it skips them, and then fails the stack on the first `Fn::GetAtt` to one (`Template error: instance of Fn::GetAtt references undefined resource`); their rule targets are stand-ins |
 *
 * Nothing else had to be removed: moto creates (or silently skips, still CREATE_COMPLETE) the rest of every
 * example stack - schema registries and schemas, queue policies, `AWS::Logs::ResourcePolicy`, KMS keys with
 * their policies, CloudWatch alarms (including Metrics Insights ones), CloudTrail, S3 buckets and policies, IAM,
 * DynamoDB, Lambda permissions and event invoke configs. Skipped resources do not exist in moto: queue policies,
 * for example, are never enforced there (moto lets any rule send to any queue).
 */
import { createHash } from 'node:crypto';

/** A CloudFormation template as JSON. */
export type TemplateJson = Record<string, any>;

/** The resource types whose rule targets are replaced by an SQS stand-in. */
export const DEFAULT_STAND_IN_TYPES: readonly string[] = ['AWS::Lambda::Function', 'AWS::Events::ApiDestination'];

/** One rule target replaced by a stand-in queue. */
export interface StandIn {
  /** Logical id of the rule. */
  readonly ruleLogicalId: string;
  /** The target's `Id`, kept as is. */
  readonly targetId: string;
  /** Logical id of the new stand-in queue. */
  readonly queueLogicalId: string;
  /** Logical id of the resource the target pointed at (the function, the API destination). */
  readonly replacedLogicalId: string;
  /** Its resource type. */
  readonly replacedType: string;
  /** Target properties dropped because an SQS target does not take them (`RoleArn`, `HttpParameters`...). */
  readonly droppedProperties: string[];
}

/** A change `prepareForMoto()` made to the template. */
export interface MotoChange {
  readonly logicalId: string;
  readonly type: string;
  readonly change: string;
}

export interface MotoTemplate {
  /** The template to pass to CreateStack (a deep copy; the input is not modified). */
  readonly template: TemplateJson;
  readonly standIns: StandIn[];
  readonly changes: MotoChange[];
}

export interface StandInOptions {
  /** Targets pointing at resources of these types are replaced. @default DEFAULT_STAND_IN_TYPES */
  readonly types?: readonly string[];
}

export interface PrepareOptions extends StandInOptions {
  /**
   * Resource types removed from the template, with every resource that refers to one of them (transitively).
   * @default UNSUPPORTED_REFERENCED_TYPES
   */
  readonly removeTypes?: readonly string[];
}

/** Types moto's CloudFormation skips, although other resources refer to their attributes (which then fails the stack). */
export const UNSUPPORTED_REFERENCED_TYPES: readonly string[] = ['AWS::Events::Connection', 'AWS::Events::ApiDestination'];

/** Target properties that an SQS target keeps. Everything else (`RoleArn`, `HttpParameters`, ...) is dropped. */
const KEPT_TARGET_PROPERTIES = new Set(['Id', 'Arn', 'Input', 'InputPath', 'InputTransformer', 'RetryPolicy', 'DeadLetterConfig']);

/** The logical id an `Arn` expression refers to: `{ Fn::GetAtt: [id, 'Arn'] }` or `{ Ref: id }`. */
export function referencedLogicalId(arn: unknown): string | undefined {
  if (arn && typeof arn === 'object') {
    const getAtt = (arn as any)['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
    if (typeof getAtt === 'string') return getAtt.split('.')[0];
    const ref = (arn as any).Ref;
    if (typeof ref === 'string') return ref;
  }
  return undefined;
}

function uniqueId(resources: Record<string, unknown>, base: string): string {
  const clean = base.replace(/[^A-Za-z0-9]/g, '');
  let id = clean;
  for (let n = 2; id in resources; n++) id = `${clean}${n}`;
  return id;
}

/**
 * Replace every rule target pointing at a resource of `types` by a new SQS queue (see the file comment).
 * Returns a deep copy of the template; the input is not modified.
 */
export function withSqsStandIns(template: TemplateJson, options: StandInOptions = {}): { template: TemplateJson; standIns: StandIn[] } {
  const types = new Set(options.types ?? DEFAULT_STAND_IN_TYPES);
  const out: TemplateJson = JSON.parse(JSON.stringify(template));
  const resources: Record<string, any> = out.Resources ?? {};
  const standIns: StandIn[] = [];
  for (const [ruleId, rule] of Object.entries<any>({ ...resources })) {
    if (rule?.Type !== 'AWS::Events::Rule' || !Array.isArray(rule.Properties?.Targets)) continue;
    rule.Properties.Targets = rule.Properties.Targets.map((target: any) => {
      const refId = referencedLogicalId(target.Arn);
      const replacedType = refId !== undefined ? resources[refId]?.Type : undefined;
      if (refId === undefined || replacedType === undefined || !types.has(replacedType)) return target;
      const queueLogicalId = uniqueId(resources, `${ruleId}${target.Id}StandIn`);
      resources[queueLogicalId] = {
        Type: 'AWS::SQS::Queue',
        Metadata: { StandInFor: refId, StandInType: replacedType, Rule: ruleId, TargetId: target.Id },
      };
      const replaced: Record<string, unknown> = { Arn: { 'Fn::GetAtt': [queueLogicalId, 'Arn'] } };
      const dropped: string[] = [];
      for (const [key, value] of Object.entries(target)) {
        if (key === 'Arn') continue;
        if (KEPT_TARGET_PROPERTIES.has(key)) replaced[key] = value;
        else dropped.push(key);
      }
      standIns.push({
        ruleLogicalId: ruleId, targetId: target.Id, queueLogicalId, replacedLogicalId: refId, replacedType, droppedProperties: dropped,
      });
      return replaced;
    });
  }
  return { template: out, standIns };
}

/** Every logical id a template fragment refers to through `Ref`, `Fn::GetAtt` or `${Id}` / `${Id.Attr}` in `Fn::Sub`. */
function referencedIds(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedIds(v, into);
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string') {into.add(v);} else if (key === 'Fn::GetAtt') {
        const id = referencedLogicalId({ [key]: v });
        if (id !== undefined) into.add(id);
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        if (typeof text === 'string') {
          for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}/g)) into.add(m[1]);
        }
        if (Array.isArray(v)) referencedIds(v[1], into);
      } else {
        referencedIds(v, into);
      }
    }
  }
  return into;
}

/** A short deterministic hash for names. */
function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/**
 * Everything moto 5.2.1 needs to create a synthesized CDK stack and route its events: SQS stand-ins (see
 * `withSqsStandIns`) plus the template fixes listed in the file comment.
 *
 * @param stackName used to make names unique across stacks created in the same moto server
 */
export function prepareForMoto(template: TemplateJson, stackName: string, options: PrepareOptions = {}): MotoTemplate {
  const { template: out, standIns } = withSqsStandIns(template, options);
  const changes: MotoChange[] = [];
  const resources: Record<string, any> = out.Resources ?? {};
  const removeTypes = new Set(options.removeTypes ?? UNSUPPORTED_REFERENCED_TYPES);
  const removed = new Set<string>();
  for (const [id, resource] of Object.entries<any>(resources)) {
    if (removeTypes.has(resource.Type)) {
      removed.add(id);
      changes.push({ logicalId: id, type: resource.Type, change: 'removed (no moto CloudFormation support, and referenced by other resources)' });
    }
  }
  // Then whatever refers to a removed resource, until nothing more does.
  for (let more = removed.size > 0; more;) {
    more = false;
    for (const [id, resource] of Object.entries<any>(resources)) {
      if (removed.has(id)) continue;
      const { DependsOn: dependsOn, ...rest } = resource;
      const refs = referencedIds(rest);
      const culprit = [...refs].find((r) => removed.has(r));
      if (culprit !== undefined) {
        removed.add(id);
        more = true;
        changes.push({ logicalId: id, type: resource.Type, change: `removed (refers to the removed ${culprit})` });
      }
    }
  }
  for (const id of removed) delete resources[id];
  for (const resource of Object.values<any>(resources)) {
    if (resource.DependsOn !== undefined) {
      const deps = (Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn]).filter((d: string) => !removed.has(d));
      if (deps.length === 0) delete resource.DependsOn;
      else resource.DependsOn = deps;
    }
  }
  for (const [name, output] of Object.entries<any>(out.Outputs ?? {})) {
    if ([...referencedIds(output)].some((r) => removed.has(r))) delete out.Outputs[name];
  }
  if (out.Parameters?.BootstrapVersion) {
    delete out.Parameters.BootstrapVersion;
    if (Object.keys(out.Parameters).length === 0) delete out.Parameters;
    changes.push({ logicalId: 'BootstrapVersion', type: 'AWS::SSM::Parameter::Value<String>', change: 'removed (nothing is bootstrapped in moto)' });
  }
  if (out.Rules?.CheckBootstrapVersion) {
    delete out.Rules.CheckBootstrapVersion;
    if (Object.keys(out.Rules).length === 0) delete out.Rules;
    changes.push({ logicalId: 'CheckBootstrapVersion', type: 'Rules', change: 'removed (refers to the BootstrapVersion parameter)' });
  }
  for (const [id, resource] of Object.entries<any>(out.Resources ?? {})) {
    if (resource.Type === 'AWS::Events::Archive' && resource.Properties?.ArchiveName === undefined) {
      // <= 48 characters, unique per stack and logical id
      const name = `${id.slice(0, 30)}-${shortHash(`${stackName}/${id}`)}`;
      resource.Properties = { ...resource.Properties, ArchiveName: name };
      changes.push({ logicalId: id, type: resource.Type, change: `ArchiveName set to ${name} (moto's generated name exceeds 48 characters)` });
    }
    if (resource.Type === 'AWS::Lambda::Function' && resource.Properties?.Code?.ZipFile === undefined) {
      resource.Properties = { ...resource.Properties, Code: { ZipFile: 'exports.handler = async () => undefined;' } };
      changes.push({ logicalId: id, type: resource.Type, change: 'asset code replaced by an inline stub (no bootstrap bucket in moto)' });
    }
  }
  return { template: out, standIns, changes };
}
