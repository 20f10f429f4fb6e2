/**
 * Resolves CloudFormation string values offline across the stacks of an app: literals, pseudo parameters of each
 * stack's environment, `Fn::ImportValue` (the exports of the stacks in the same account and region), `Fn::Join`,
 * `Fn::Sub`, `Fn::Select` / `Fn::Split`; `Ref` and `Fn::GetAtt` are answered by the caller (only it knows which
 * resources it models). What only deploy time knows is an `Unresolved` with the reason. Pure: no aws-cdk-lib.
 *
 * Used by both models: the Classic one (`template-model.ts`) and the Custom Event Bus one (`custom-bus-model.ts`).
 * Where they differed, `CfnValuesOptions` keeps each one's answer.
 */

/** A value that cannot be resolved offline, and why. */
export class Unresolved {
  constructor(public readonly reason: string) {}
}

export interface ValueEnv {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
}

export interface ValueStack {
  /** A unique id of the stack in the app (its construct path, or its name). */
  readonly stackId: string;
  /** The CloudFormation stack name. */
  readonly stackName?: string;
  readonly template: any;
  readonly env: ValueEnv;
  /** Logical ID → construct path, when the construct tree is at hand (else `aws:cdk:path` metadata is used). */
  readonly paths?: Map<string, string>;
}

/** Answers a `Ref` (attribute undefined) or `Fn::GetAtt` of a resource of `stack`. */
export type ResourceValue<S extends ValueStack> = (stack: S, logicalId: string, attribute: string | undefined) => string | Unresolved;

export interface CfnValuesOptions<S extends ValueStack> {
  /**
   * Whether `Ref AWS::StackName` is the stack's `stackName` (the Classic router's answer); else it is unresolved (the
   * Custom Event Bus router's).
   */
  readonly resolveStackName?: boolean;
  /** A value for a `Ref` to a stack parameter (the Classic router's deploy-time values); else it is unresolved. */
  readonly parameterValue?: (stack: S, name: string) => string | undefined;
}

/** Intrinsics nested deeper than this are refused (a template is data we did not write). */
export const MAX_DEPTH = 32;

/**
 * `AWS::URLSuffix`: `amazonaws.com`, and `amazonaws.com.cn` in the China Regions (partition `aws-cn`).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
 */
export function urlSuffix(partition: string): string {
  return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** The construct path of a resource (or `<stack>/<logicalId>` when the app has no path metadata), without `/Resource`. */
export function resourcePath(stack: ValueStack, logicalId: string): string {
  let path: string = stack.paths?.get(logicalId)
    ?? stack.template?.Resources?.[logicalId]?.Metadata?.['aws:cdk:path']
    ?? `${stack.stackId}/${logicalId}`;
  while (path.endsWith('/Resource')) {
    path = path.slice(0, -'/Resource'.length);
  }
  return path;
}

/** Text of an intrinsic for messages, bounded. */
export function describeValue(value: any): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export class CfnValues<S extends ValueStack = ValueStack> {
  /** `account/region/exportName` → the exporting stack and the output's value. */
  private readonly exports = new Map<string, { stack: S; value: any }>();
  public readonly warnings: string[] = [];

  constructor(stacks: S[], private readonly resourceValue: ResourceValue<S>, private readonly options: CfnValuesOptions<S> = {}) {
    for (const stack of stacks) {
      for (const [outputId, output] of Object.entries<any>(stack.template?.Outputs ?? {})) {
        if (output?.Export?.Name === undefined) {
          continue;
        }
        const name = this.resolve(stack, output.Export.Name);
        if (name instanceof Unresolved) {
          this.warnings.push(`stack ${stack.stackId}: the export name of output ${outputId} cannot be resolved offline (${name.reason}); imports of it cannot be followed`);
          continue;
        }
        this.exports.set(`${stack.env.account}/${stack.env.region}/${name}`, { stack, value: output.Value });
      }
    }
  }

  /** The output that an app's stack in the account and region of `stack` exports under `name`, if any. */
  public exported(stack: S, name: string): { stack: S; value: any } | undefined {
    return this.exports.get(`${stack.env.account}/${stack.env.region}/${name}`);
  }

  /** The value as a string, or why it cannot be known offline. */
  public resolve(stack: S, value: any, depth = 0): string | Unresolved {
    if (depth > MAX_DEPTH) {
      return new Unresolved(`intrinsics nested deeper than ${MAX_DEPTH} levels`);
    }
    if (typeof value === 'string') {
      return value;
    }
    if (typeof value === 'number' || typeof value === 'boolean') {
      return String(value);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return new Unresolved(`not a string: ${describeValue(value)}`);
    }
    const keys = Object.keys(value);
    if (keys.length !== 1) {
      return new Unresolved(`not an intrinsic function: ${describeValue(value)}`);
    }
    const fn = keys[0];
    const arg = value[fn];
    const env = stack.env;
    switch (fn) {
      case 'Ref':
        switch (arg) {
          case 'AWS::Partition': return env.partition;
          case 'AWS::Region': return env.region;
          case 'AWS::AccountId': return env.account;
          case 'AWS::URLSuffix': return urlSuffix(env.partition);
          case 'AWS::StackName':
            return this.options.resolveStackName && stack.stackName !== undefined ? stack.stackName
              : new Unresolved('Ref AWS::StackName is resolved by the router only for literal stack names');
          default:
            if (typeof arg !== 'string') {
              return new Unresolved(`malformed Ref: ${describeValue(value)}`);
            }
            if (stack.template?.Parameters?.[arg] !== undefined) {
              return this.options.parameterValue?.(stack, arg) ?? new Unresolved(`Ref ${arg} is a stack parameter, known only at deploy time`);
            }
            return this.resourceValue(stack, arg, undefined);
        }
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
        return this.resourceValue(stack, String(logicalId), String(attribute));
      }
      case 'Fn::ImportValue': {
        const name = this.resolve(stack, arg, depth + 1);
        if (name instanceof Unresolved) {
          return name;
        }
        const exported = this.exported(stack, name);
        if (!exported) {
          return new Unresolved(`no stack of the app in account ${env.account}, region ${env.region} exports "${name}"`);
        }
        return this.resolve(exported.stack, exported.value, depth + 1);
      }
      case 'Fn::Join': {
        if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') {
          return new Unresolved(`malformed Fn::Join: ${describeValue(value)}`);
        }
        const parts = this.resolveList(stack, arg[1], depth + 1);
        return parts instanceof Unresolved ? parts : parts.join(arg[0]);
      }
      case 'Fn::Sub': {
        const [text, vars] = typeof arg === 'string' ? [arg, {}] : Array.isArray(arg) ? arg : [undefined, undefined];
        if (typeof text !== 'string' || vars === null || typeof vars !== 'object') {
          return new Unresolved(`malformed Fn::Sub: ${describeValue(value)}`);
        }
        return this.substitute(stack, text, vars, depth);
      }
      case 'Fn::Select': {
        if (!Array.isArray(arg) || arg.length !== 2) {
          return new Unresolved(`malformed Fn::Select: ${describeValue(value)}`);
        }
        const index = this.resolve(stack, arg[0], depth + 1);
        const list = this.resolveList(stack, arg[1], depth + 1);
        if (index instanceof Unresolved) {
          return index;
        }
        if (list instanceof Unresolved) {
          return list;
        }
        const i = Number(index);
        return Number.isInteger(i) && i >= 0 && i < list.length ? list[i] : new Unresolved(`Fn::Select index ${index} is outside the list`);
      }
      default:
        return new Unresolved(`${fn} is not resolved offline`);
    }
  }

  private resolveList(stack: S, value: any, depth: number): string[] | Unresolved {
    if (Array.isArray(value)) {
      const out: string[] = [];
      for (const item of value) {
        const r = this.resolve(stack, item, depth + 1);
        if (r instanceof Unresolved) {
          return r;
        }
        out.push(r);
      }
      return out;
    }
    const split = value?.['Fn::Split'];
    if (Array.isArray(split) && split.length === 2 && typeof split[0] === 'string' && split[0] !== '') {
      const text = this.resolve(stack, split[1], depth + 1);
      return text instanceof Unresolved ? text : text.split(split[0]);
    }
    return new Unresolved(`not a list: ${describeValue(value)}`);
  }

  /** `Fn::Sub` in one pass: `${Name}`, `${Logical.Attr}`, `${!Literal}`. */
  private substitute(stack: S, text: string, vars: any, depth: number): string | Unresolved {
    let out = '';
    let i = 0;
    for (;;) {
      const start = text.indexOf('${', i);
      const end = start < 0 ? -1 : text.indexOf('}', start + 2);
      if (start < 0 || end < 0) {
        return out + text.slice(i);
      }
      out += text.slice(i, start);
      const name = text.slice(start + 2, end);
      i = end + 1;
      if (name.startsWith('!')) {
        out += '${' + name.slice(1) + '}';
        continue;
      }
      const dot = name.indexOf('.');
      const r = Object.prototype.hasOwnProperty.call(vars, name) ? this.resolve(stack, vars[name], depth + 1)
        : dot > 0 ? this.resolve(stack, { 'Fn::GetAtt': [name.slice(0, dot), name.slice(dot + 1)] }, depth + 1)
          : this.resolve(stack, { Ref: name }, depth + 1);
      if (r instanceof Unresolved) {
        return r;
      }
      out += r;
    }
  }
}
