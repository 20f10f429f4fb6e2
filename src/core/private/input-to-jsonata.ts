import { parsePath } from '../../private/json-path';

/**
 * Turns a Classic target's input options into the JSONata expression of a Custom Event Bus transformer, as AWS's
 * migration guide maps them ("Input transformer → a transformer with a type of JSONATA"), for events published with
 * `PutEvents` (whose `Data` is the Classic envelope, so `$.detail.x` becomes `$events.Data.detail.x`).
 *
 * The Classic rules reproduced (see `src/testing/input-transformer.ts` for their sources): a bare placeholder in a
 * JSON template becomes the value (an empty string when the path matches nothing); a placeholder inside a JSON string
 * or a text template is inserted as the string itself, or the JSON text of any other value, and as nothing when the
 * path matches nothing.
 *
 * Pure: no aws-cdk-lib. Throws an Error naming what does not carry over.
 */

const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Markers that cannot occur in a template (they are control characters EventBridge would reject in JSON). */
const BARE = '\u0001';
const IN_STRING = '\u0002';

/** The Classic input options of a target. */
export interface ClassicInput {
  readonly input?: string;
  readonly inputPath?: string;
  readonly inputPathsMap?: { [name: string]: string };
  readonly inputTemplate?: string;
}

/**
 * The JSONata expression (without `{% %}`) equivalent to a target's input options, or undefined when the target
 * receives the matched event (the `RAW` transformer then delivers the same envelope).
 */
export function classicInputToJsonata(config: ClassicInput): string | undefined {
  if (config.input !== undefined) {
    JSON.parse(config.input); // a Classic constant input is JSON text, which is also a JSONata literal
    return config.input;
  }
  if (config.inputPath !== undefined) {
    return pathToJsonata(config.inputPath);
  }
  if (config.inputTemplate === undefined) {
    return undefined;
  }
  const variables = new Map<string, string>();
  for (const [name, path] of Object.entries(config.inputPathsMap ?? {})) {
    variables.set(name, pathToJsonata(path));
  }
  const expressionOf = (name: string): string => {
    const known = variables.get(name) ?? predefined(name);
    if (known === undefined) {
      throw new Error(`the input template uses <${name}>, which is neither in InputPathsMap nor a predefined variable`);
    }
    return known;
  };
  const template = config.inputTemplate;
  if (template.trimStart().startsWith('{') || template.trimStart().startsWith('"')) {
    return jsonTemplate(template, expressionOf);
  }
  return concatenation(template, expressionOf);
}

/** `$.detail.a-b[0]` → `$events.Data.detail.\`a-b\`[0]`. */
export function pathToJsonata(path: string): string {
  let out = '$events.Data';
  for (const segment of parsePath(path)) {
    if (segment.kind === 'wildcard') {
      throw new Error(`the JSON path ${JSON.stringify(path)} has a wildcard, which has no exact JSONata equivalent here`);
    }
    if (segment.kind === 'index') {
      out += `[${segment.index}]`;
    } else if (PLAIN_NAME.test(segment.name)) {
      out += `.${segment.name}`;
    } else if (!segment.name.includes('`')) {
      out += `.\`${segment.name}\``;
    } else {
      throw new Error(`the JSON path ${JSON.stringify(path)} has a name with a backtick, which JSONata cannot quote`);
    }
  }
  return out;
}

function predefined(name: string): string | undefined {
  switch (name) {
    case 'aws.events.event.json': return '$events.Data';
    case 'aws.events.event.ingestion-time': return '$events.SystemMetadata."aws:IngestionTime"';
    case 'aws.events.rule-arn':
    case 'aws.events.rule-name':
      throw new Error(`<${name}> does not carry over: a subscriber has no rule (use a literal in the template instead)`);
    case 'aws.events.event':
      throw new Error('<aws.events.event> (the event without detail) does not carry over; use <aws.events.event.json>');
    default: return undefined;
  }
}

/** A value inserted into a string: the string itself, else its JSON text; nothing when missing. */
function stringPart(expression: string): string {
  return `$string(${expression})`;
}

/** A value standing alone: the value, or "" when missing (as Classic does). */
function barePart(expression: string): string {
  return `($exists(${expression}) ? ${expression} : "")`;
}

function concatenation(text: string, expressionOf: (name: string) => string): string {
  const parts: string[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index! > last) {
      parts.push(JSON.stringify(text.slice(last, m.index)));
    }
    parts.push(stringPart(expressionOf(m[1])));
    last = m.index! + m[0].length;
  }
  if (last < text.length || parts.length === 0) {
    parts.push(JSON.stringify(text.slice(last)));
  }
  return parts.join(' & ');
}

/**
 * A JSON template: placeholders outside strings become markers (JSON strings), placeholders inside strings become
 * in-string markers; the parsed structure is then written as a JSONata constructor.
 */
function jsonTemplate(template: string, expressionOf: (name: string) => string): string {
  const names: string[] = [];
  let marked = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '<') {
      const m = /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i, i + 300));
      if (m) {
        names.push(m[1]);
        // Written as JSON escapes, which JSON.parse turns into the marker characters.
        const escape = inString ? '\\u0002' : '\\u0001';
        const marker = `${escape}${names.length - 1}${escape}`;
        marked += inString ? marker : `"${marker}"`;
        i += m[0].length - 1;
        continue;
      }
    }
    if (inString && c === '\\') {
      marked += c + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') {
      inString = !inString;
    }
    marked += c;
  }
  let parsed: any;
  try {
    parsed = JSON.parse(marked);
  } catch (e) {
    throw new Error(`the input template is not valid JSON once its placeholders are filled in: ${(e as Error).message}`);
  }
  const expressions = names.map(expressionOf);
  return construct(parsed, expressions, false);
}

function construct(value: any, expressions: string[], inArray: boolean): string {
  if (typeof value === 'string') {
    const bare = new RegExp(`^${BARE}(\\d+)${BARE}$`).exec(value);
    if (bare) {
      if (inArray) {
        throw new Error('a placeholder directly inside a JSON array does not carry over exactly (JSONata\'s array constructor flattens array values)');
      }
      return barePart(expressions[Number(bare[1])]);
    }
    const pieces = value.split(new RegExp(`${IN_STRING}(\\d+)${IN_STRING}`));
    if (pieces.length === 1) {
      return JSON.stringify(value);
    }
    const parts: string[] = [];
    pieces.forEach((piece, i) => {
      if (i % 2 === 1) {
        parts.push(stringPart(expressions[Number(piece)]));
      } else if (piece !== '') {
        parts.push(JSON.stringify(piece));
      }
    });
    return parts.length === 1 && parts[0].startsWith('$string(') ? `(${parts[0]} & "")` : parts.join(' & ');
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => construct(v, expressions, true)).join(', ')}]`;
  }
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${construct(v, expressions, false)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}
