/**
 * What EventBridge sends to a target, computed offline: the matched event, a constant `Input`, the value at an
 * `InputPath`, or an `InputTransformer` (`InputPathsMap` + `InputTemplate`). Pure TypeScript: no aws-cdk-lib,
 * no I/O, so every rule can be tested as plain values.
 *
 * The rules, with their sources:
 * - A template whose first non-blank character is `{` is a JSON template; anything else is a text template
 *   (API reference, InputTransformer: "If InputTemplate is a JSON object (surrounded by curly braces)").
 * - In a JSON template, a placeholder outside a JSON string (`"a": <v>`) is replaced by the value as JSON: a string
 *   gets its quotes (`"i-0123"`), numbers, booleans, null, objects and arrays are written as JSON
 *   (user guide, "Input transform examples": Simple JSON, JSON with a mix of variables).
 * - Inside a JSON string (`"state: <v>"`) and in text templates, a string value is inserted as is, without quotes and
 *   WITHOUT escaping (user guide, "Common issues": "EventBridge doesn't escape values extracted by Input Path");
 *   other values are inserted as their JSON text.
 * - A path that matches nothing leaves the variable empty: an empty string in text and inside JSON strings, `""`
 *   as a bare JSON value (user guide: "that variable isn't created and won't appear in the output"; recorded AWS
 *   output in localstack's `test_events_inputs.snapshot.json`: `"command": <command>` with a missing path gave
 *   `"command": ""`).
 * - A placeholder that is neither in `InputPathsMap` nor predefined is rejected by PutTargets
 *   (`InputTemplate for target X contains invalid placeholder Y.`, recorded in the same snapshot).
 * - Text templates are delivered verbatim: CDK's `RuleTargetInput.fromText('a <x>')` renders `"a <x>"`, and the
 *   target receives `"a value"` with the quotes (recorded SQS bodies in the same snapshot; aws/aws-cdk#5924,
 *   #18695, #38121).
 * - Predefined variables: `aws.events.rule-arn`, `aws.events.rule-name`, `aws.events.event.ingestion-time`,
 *   `aws.events.event` (the event without `detail`, with `detail-type` spelled `detailType`, as recorded by
 *   localstack against AWS) and `aws.events.event.json` (the whole event).
 * - The JSON passed to the target is minified (user guide, "Common issues").
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html
 */

import { parsePath } from '../private/json-path';

/**
 * Which of EventBridge's input options a target uses.
 */
export enum TargetInputKind {
  /** No input option: the target receives the matched event. */
  MATCHED_EVENT = 'MATCHED_EVENT',
  /** `Input`: a constant JSON text. */
  CONSTANT = 'CONSTANT',
  /** `InputPath`: the part of the event at a JSON path. */
  INPUT_PATH = 'INPUT_PATH',
  /** `InputTransformer`: `InputPathsMap` and `InputTemplate`. */
  INPUT_TRANSFORMER = 'INPUT_TRANSFORMER',
}

/**
 * A target's input options, as in the `AWS::Events::Rule` target (at most one of them is set).
 */
export interface TargetInputConfig {
  /**
   * `Input`: constant JSON text, delivered as is.
   *
   * @default - not set
   */
  readonly input?: string;

  /**
   * `InputPath`: the JSON path of the part of the event to deliver.
   *
   * @default - not set
   */
  readonly inputPath?: string;

  /**
   * `InputTransformer.InputPathsMap`: variable names and the JSON paths of their values.
   *
   * @default - no variables
   */
  readonly inputPathsMap?: { [name: string]: string };

  /**
   * `InputTransformer.InputTemplate`.
   *
   * @default - not set (no input transformer)
   */
  readonly inputTemplate?: string;
}

/**
 * The values of the predefined variables and the names used in messages.
 */
export interface TransformContext {
  /**
   * The value of `<aws.events.rule-arn>`.
   *
   * @default 'arn:aws:events:us-east-1:123456789012:rule/rule'
   */
  readonly ruleArn?: string;

  /**
   * The value of `<aws.events.rule-name>`.
   *
   * @default 'rule'
   */
  readonly ruleName?: string;

  /**
   * The value of `<aws.events.event.ingestion-time>` (ISO 8601).
   *
   * @default - the event's `time`
   */
  readonly ingestionTime?: string;

  /**
   * The target id, used in error messages.
   *
   * @default 'target'
   */
  readonly targetId?: string;
}

/**
 * The input a target receives.
 */
export interface TransformedInput {
  /** Which input option produced it. */
  readonly kind: TargetInputKind;

  /**
   * The exact text EventBridge sends: what an SQS message body, an SNS message or a log event contains.
   */
  readonly text: string;

  /**
   * The text parsed as JSON (what a Lambda function receives as its event), or the text itself when it is not
   * valid JSON.
   */
  readonly value: any;

  /** Whether `text` is valid JSON. */
  readonly isJson: boolean;

  /** Variables whose path matched nothing in the event (they were left empty). */
  readonly missingVariables: string[];

  /** Things a reviewer should know, e.g. that the result is not valid JSON. */
  readonly warnings: string[];
}

/**
 * EventBridge's target input options, applied offline.
 *
 * @example
 * InputTransformation.transform(
 *   { 'source': 'shop', 'detail-type': 'OrderPlaced', 'detail': { id: 'o-1' } },
 *   { inputPathsMap: { id: '$.detail.id' }, inputTemplate: '{"orderId":<id>}' },
 * ).value; // { orderId: 'o-1' }
 */
export class InputTransformation {
  /** The names of the predefined variables, which `InputPathsMap` cannot use. */
  public static readonly PREDEFINED_VARIABLES: string[] = [
    'aws.events.rule-arn',
    'aws.events.rule-name',
    'aws.events.event.ingestion-time',
    'aws.events.event',
    'aws.events.event.json',
  ];

  /**
   * Computes what a target receives for an event.
   *
   * @param event the full event (with `version`, `id`, `detail-type`, ...)
   * @param config the target's input options
   * @param context values of the predefined variables
   * @throws Error if the options are ones EventBridge rejects (two options at once, an undefined placeholder, a
   * reserved variable name, a path outside the supported JSON path subset)
   */
  public static transform(event: any, config: TargetInputConfig, context?: TransformContext): TransformedInput {
    return transformInput(event, config, context ?? {});
  }

  /**
   * The value at a JSON path in a document, or `undefined` when the path matches nothing. Supported: `$`, dot
   * notation with names made of any characters but `.`, `[` and `]` (dashes, slashes, ...), array indices `[0]`,
   * quoted names `['a.b']` and the wildcards `.*` and `[*]` (a path with a wildcard gives the array of its matches).
   *
   * @throws Error if the path is not in the supported subset
   */
  public static evaluatePath(document: any, path: string): any {
    return evaluatePath(document, path).value;
  }

  private constructor() {}
}

// The path parser is shared with the Custom Event Bus's input-transformer migration (src/private/json-path.ts);
// re-exported so that this module's exports stay as they were.
export { parsePath };

/** Evaluates a parsed path; `found: false` when nothing matches. */
export function evaluatePath(document: any, path: string): { found: boolean; value: any } {
  const segments = parsePath(path);
  let current: any[] = [document];
  let wildcard = false;
  for (const segment of segments) {
    const next: any[] = [];
    for (const node of current) {
      if (segment.kind === 'name') {
        if (node !== null && typeof node === 'object' && !Array.isArray(node) && Object.prototype.hasOwnProperty.call(node, segment.name)) {
          next.push(node[segment.name]);
        }
      } else if (segment.kind === 'index') {
        if (Array.isArray(node) && segment.index < node.length) {
          next.push(node[segment.index]);
        }
      } else {
        wildcard = true;
        if (Array.isArray(node)) {
          next.push(...node);
        } else if (node !== null && typeof node === 'object') {
          next.push(...Object.values(node));
        }
      }
    }
    current = next;
  }
  if (wildcard) {
    return current.length === 0 ? { found: false, value: undefined } : { found: true, value: current };
  }
  return current.length === 0 ? { found: false, value: undefined } : { found: true, value: current[0] };
}

const PLACEHOLDER = /<([^\s<>"]+)>/g;

/** The event as `<aws.events.event>` shows it: without `detail`, `detail-type` spelled `detailType`. */
function eventWithoutDetail(event: any): any {
  const out: any = {};
  for (const [key, value] of Object.entries(event ?? {})) {
    if (key === 'detail') {
      continue;
    }
    out[key === 'detail-type' ? 'detailType' : key] = value;
  }
  return out;
}

function tryParse(text: string): { ok: boolean; value: any } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, value: text };
  }
}

function transformInput(event: any, config: TargetInputConfig, context: TransformContext): TransformedInput {
  const targetId = context.targetId ?? 'target';
  const hasTransformer = config.inputTemplate !== undefined || config.inputPathsMap !== undefined;
  const given = [config.input !== undefined, config.inputPath !== undefined, hasTransformer].filter((x) => x).length;
  if (given > 1) {
    throw new Error(`Only one of Input, InputPath, or InputTransformer must be provided for target ${targetId}.`);
  }
  if (config.input !== undefined) return constantInput(config.input, targetId);
  if (config.inputPath !== undefined) return inputPathInput(event, config.inputPath, targetId);
  if (!hasTransformer) {
    return {
      kind: TargetInputKind.MATCHED_EVENT,
      text: JSON.stringify(event),
      value: event,
      isJson: true,
      missingVariables: [],
      warnings: [],
    };
  }
  return transformerInput(event, config, context, targetId);
}

/** `Input`: the constant text, as given. */
function constantInput(input: string, targetId: string): TransformedInput {
  const parsed = tryParse(input);
  return {
    kind: TargetInputKind.CONSTANT,
    text: input,
    value: parsed.value,
    isJson: parsed.ok,
    missingVariables: [],
    warnings: parsed.ok ? [] : [`Input of target ${targetId} is not valid JSON; EventBridge requires JSON text`],
  };
}

/** `InputPath`: the part of the event the path selects. */
function inputPathInput(event: any, inputPath: string, targetId: string): TransformedInput {
  const result = evaluatePath(event, inputPath);
  if (!result.found) {
    return {
      kind: TargetInputKind.INPUT_PATH,
      text: '',
      value: undefined,
      isJson: false,
      missingVariables: [inputPath],
      warnings: [`InputPath ${inputPath} of target ${targetId} matches nothing in the event (EventBridge does not document what it sends then; modelled as an empty input)`],
    };
  }
  return {
    kind: TargetInputKind.INPUT_PATH,
    text: JSON.stringify(result.value),
    value: result.value,
    isJson: true,
    missingVariables: [],
    warnings: [],
  };
}

type VariableValue = { found: boolean; value: any };

/** `InputTransformer`: the template with every placeholder replaced by its variable's value. */
function transformerInput(event: any, config: TargetInputConfig, context: TransformContext, targetId: string): TransformedInput {
  if (config.inputTemplate === undefined) {
    throw new Error(`InputTransformer of target ${targetId} has no InputTemplate`);
  }
  const template = config.inputTemplate;
  const { values, missing } = transformerVariables(event, config.inputPathsMap ?? {}, context, targetId);
  const lookup = (name: string) => {
    const v = values.get(name);
    if (v === undefined) {
      throw new Error(`InputTemplate for target ${targetId} contains invalid placeholder ${name}.`);
    }
    return v;
  };

  const warnings: string[] = [];
  const isJsonTemplate = template.trimStart().startsWith('{');
  let text = isJsonTemplate ? fillJsonTemplate(template, lookup) : template.replace(PLACEHOLDER, (_m, name: string) => rawValue(lookup(name)));
  const parsed = tryParse(text);
  if (isJsonTemplate) {
    if (parsed.ok) {
      text = JSON.stringify(parsed.value);
    } else {
      warnings.push(`the input of target ${targetId} is not valid JSON after transformation (a value with quotes or a non-string value inside a JSON string?): ${text.length > 200 ? text.slice(0, 197) + '...' : text}`);
    }
  }
  if (missing.length > 0) {
    warnings.push(`variables whose path matched nothing (left empty): ${missing.join(', ')}`);
  }
  return {
    kind: TargetInputKind.INPUT_TRANSFORMER,
    text,
    value: parsed.value,
    isJson: parsed.ok,
    missingVariables: missing,
    warnings,
  };
}

/** The variables of a transformer: the predefined ones, then InputPathsMap (which may not redefine them). */
function transformerVariables(event: any, inputPathsMap: { [name: string]: string }, context: TransformContext, targetId: string):
{ values: Map<string, VariableValue>; missing: string[] } {
  const values = new Map<string, VariableValue>();
  values.set('aws.events.rule-arn', { found: true, value: context.ruleArn ?? 'arn:aws:events:us-east-1:123456789012:rule/rule' });
  values.set('aws.events.rule-name', { found: true, value: context.ruleName ?? 'rule' });
  values.set('aws.events.event.ingestion-time', { found: true, value: context.ingestionTime ?? event?.time ?? '' });
  values.set('aws.events.event', { found: true, value: eventWithoutDetail(event) });
  values.set('aws.events.event.json', { found: true, value: event });
  const missing: string[] = [];
  for (const [name, path] of Object.entries(inputPathsMap)) {
    if (InputTransformation.PREDEFINED_VARIABLES.includes(name)) {
      throw new Error(`InputPathsMap of target ${targetId} uses the reserved variable name ${name}`);
    }
    let result: VariableValue;
    try {
      result = evaluatePath(event, path);
    } catch (e) {
      throw new Error(`InputPathsMap of target ${targetId}, variable ${name}: ${(e as Error).message}`);
    }
    if (!result.found) {
      missing.push(name);
    }
    values.set(name, result);
  }
  return { values, missing };
}

/** A value inside a JSON string or a non-JSON template: strings as they are, anything else as JSON. */
function rawValue(v: VariableValue): string {
  return !v.found ? '' : typeof v.value === 'string' ? v.value : JSON.stringify(v.value);
}

/** A value outside a JSON string: always JSON (a string gets its quotes). */
function bareValue(v: VariableValue): string {
  return !v.found ? '""' : JSON.stringify(v.value);
}

/** Walks a JSON template, knowing at each placeholder whether it is inside a JSON string. */
function fillJsonTemplate(template: string, lookup: (name: string) => VariableValue): string {
  let out = '';
  let inString = false;
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (inString && c === '\\') {
      out += template.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '"') {
      inString = !inString;
      out += c;
      i++;
      continue;
    }
    if (c === '<') {
      PLACEHOLDER.lastIndex = i;
      const m = PLACEHOLDER.exec(template);
      if (m && m.index === i) {
        const v = lookup(m[1]);
        out += inString ? rawValue(v) : bareValue(v);
        i += m[0].length;
        continue;
      }
    }
    out += c;
    i++;
  }
  PLACEHOLDER.lastIndex = 0;
  return out;
}
