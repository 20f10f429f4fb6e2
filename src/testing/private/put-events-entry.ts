import { parseJsonText } from './json-text';

/**
 * Why `PutEvents` would refuse this event on a Classic bus, or `undefined` when it would accept it.
 *
 * The event is a full EventBridge event (`source`, `detail-type`, `detail`, `resources`, `time`) or a `PutEvents`
 * entry (`Source`, `DetailType`, `Detail` as JSON text, `Resources`, `Time`). The rules are AWS's:
 * - `Source`, `DetailType` and `Detail` are required ("If you include event entries in a request that do not include
 *   each of those properties, EventBridge fails that entry"), `Detail` is "a valid JSON object" and `DetailType` is
 *   at most 128 characters:
 *   https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html
 * - an entry is at most 256 KB, counted as 14 bytes for `Time` when given plus the UTF-8 bytes of `Source`,
 *   `DetailType`, `Detail` and each of `Resources`:
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/calculate-putevents-entry-size.html
 * - nested JSON is processed only up to 1,000 levels deep:
 *   https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 *
 * On a Custom Event Bus (`customBus`), `Detail` is optional and "a valid JSON string", any JSON value:
 * https://docs.aws.amazon.com/eventbridgev2/latest/APIReference/API_PutEventsRequestEntry.html
 *
 * Not modelled: the `aws.` source prefix (reserved for AWS services: a recorded event of an AWS service has it, and
 * this function reads recorded events too) and the 100-resource and 2,048-character limits of the Custom Event Bus.
 */
export function putEventsRefusal(event: any, customBus = false): string | undefined {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    return `an event must be a JSON object, got ${describe(event)}`;
  }
  const entry = event['detail-type'] === undefined && (event.DetailType !== undefined || event.Source !== undefined);
  const source = entry ? event.Source : event.source;
  const detailType = entry ? event.DetailType : event['detail-type'];
  const sourceKey = entry ? 'Source' : 'source';
  const typeKey = entry ? 'DetailType' : 'detail-type';
  const detailKey = entry ? 'Detail' : 'detail';
  if (typeof source !== 'string' || source.length === 0) {
    return `${missingOr(source, sourceKey)}; PutEvents requires a non-empty string (API_PutEventsRequestEntry)`;
  }
  if (typeof detailType !== 'string' || detailType.length === 0) {
    const wrong = ['detailType', 'detail_type', 'detailtype'].find((k) => event[k] !== undefined);
    const hint = wrong === undefined ? '' : ` (it has "${wrong}": an EventBridge event spells it "detail-type", a PutEvents entry "DetailType")`;
    return `${missingOr(detailType, typeKey)}${hint}; PutEvents requires a non-empty string (API_PutEventsRequestEntry)`;
  }
  if ([...detailType].length > 128) {
    return `"${typeKey}" is ${[...detailType].length} characters; PutEvents allows at most 128 (API_PutEventsRequestEntry)`;
  }
  let detail = entry ? event.Detail : event.detail;
  let detailText: string;
  if (detail === undefined && customBus) {
    return undefined;
  }
  if (detail === undefined) {
    return `the event has no "${detailKey}"; PutEvents requires it, a JSON object (API_PutEventsRequestEntry)`;
  }
  if (entry && typeof detail === 'string') {
    try {
      detail = parseJsonText(detail, '"Detail"');
    } catch (e) {
      return (e as Error).message;
    }
    detailText = event.Detail;
  } else {
    detailText = JSON.stringify(detail);
  }
  if (!customBus && (detail === null || typeof detail !== 'object' || Array.isArray(detail))) {
    return `"${detailKey}" is ${describe(detail)}; PutEvents requires a JSON object (API_PutEventsRequestEntry)`;
  }
  if (depthOver(detail, 1000)) {
    return `"${detailKey}" is nested deeper than 1,000 levels; PutEvents processes nested JSON only up to 1,000 levels (API_PutEvents)`;
  }
  const resources = entry ? event.Resources : event.resources;
  if (resources !== undefined && (!Array.isArray(resources) || resources.some((r: any) => typeof r !== 'string'))) {
    return `"${entry ? 'Resources' : 'resources'}" is ${describe(resources)}; PutEvents requires an array of strings (API_PutEventsRequestEntry)`;
  }
  const time = entry ? event.Time : event.time;
  const size = (time !== undefined ? 14 : 0) + bytes(source) + bytes(detailType) + bytes(detailText)
    + (resources ?? []).reduce((n: number, r: string) => n + bytes(r), 0);
  if (size > 256 * 1024) {
    return `the entry is ${size} bytes as PutEvents counts it (Time 14 bytes, Source, DetailType, Detail and Resources in UTF-8); at most ${256 * 1024} bytes are accepted (calculate-putevents-entry-size)`;
  }
  return undefined;
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function missingOr(value: any, key: string): string {
  return value === undefined ? `the event has no "${key}"` : `"${key}" is ${describe(value)}`;
}

/** The type of a value, never its content. */
function describe(value: any): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : 'a string';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Whether JSON nests deeper than `max` levels, without recursion (a hostile event cannot overflow the stack). */
function depthOver(value: any, max: number): boolean {
  const stack: Array<[any, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (depth > max) return true;
    if (v !== null && typeof v === 'object') {
      for (const child of Array.isArray(v) ? v : Object.values(v)) {
        if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
      }
    }
  }
  return false;
}
