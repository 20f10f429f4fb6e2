import { createHash } from 'crypto';
import { parseJsonText } from './json-text';

/**
 * The plain-event input of the routers: an event as an object or as JSON text, either a full EventBridge event
 * (`source`, `detail-type`, `detail`, ...) or a `PutEvents` entry (`Source`, `DetailType`, `Detail` as text,
 * `Resources`, `Time`), and the fields EventBridge fills in. Used by both routers (`EventRouter`, `CustomBusRouter`).
 */

/** An event given as JSON text or an object: the object, or a clear error. */
export function parseEventObject(event: any, what = 'event'): any {
  const e = typeof event === 'string' ? parseJsonText(event, what) : event;
  if (e === null || typeof e !== 'object' || Array.isArray(e)) {
    throw new Error(`an ${what} must be a JSON object, got ${Array.isArray(e) ? 'an array' : e === null ? 'null' : typeof e}`);
  }
  return e;
}

/**
 * Whether the object is a `PutEvents` entry (`Source` / `DetailType`) rather than an EventBridge event: it has no
 * `detail-type` and no `source`, or, with `evenWithSource` (the Classic router's reading), no `detail-type`.
 */
export function isPutEventsEntry(e: any, evenWithSource = false): boolean {
  return e['detail-type'] === undefined && (evenWithSource || e.source === undefined) && (e.DetailType !== undefined || e.Source !== undefined);
}

/** A `PutEvents` entry as the event fields it gives (what EventBridge adds is not filled in here). */
export function putEventsEntryFields(e: any): any {
  return {
    'source': e.Source,
    'detail-type': e.DetailType,
    'resources': e.Resources ?? [],
    'detail': typeof e.Detail === 'string' ? parseJsonText(e.Detail, 'Detail') : (e.Detail ?? {}),
    ...(e.Time !== undefined ? { time: e.Time instanceof Date ? e.Time.toISOString() : String(e.Time) } : {}),
  };
}

/**
 * The event as EventBridge delivers it: `version` '0', `id` (the given one, else `id`), `account`, `time`, `region`,
 * `resources` [] and `detail` {} filled in when missing, in EventBridge's field order, other fields kept after them.
 */
export function fillEnvelope(e: any, defaults: { id: string; account: string; region: string; time: string }): any {
  const out: any = {
    'version': e.version ?? '0',
    'id': e.id ?? defaults.id,
    'detail-type': e['detail-type'],
    'source': e.source,
    'account': e.account ?? defaults.account,
    'time': e.time ?? defaults.time,
    'region': e.region ?? defaults.region,
    'resources': e.resources ?? [],
    'detail': e.detail ?? {},
  };
  for (const [k, v] of Object.entries(e)) {
    if (!(k in out)) {
      out[k] = v;
    }
  }
  return out;
}

/**
 * A UUID derived from a text, so that the same input gives the same id in every run: version-4-shaped (the Custom
 * Event Bus router's), or, with `versioned` false, 32 hex digits in UUID groups (the Classic router's, kept as it was).
 */
export function uuidFrom(text: string, versioned = true): string {
  const h = createHash('sha256').update(text).digest('hex');
  return versioned
    ? `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
    : `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The current time as EventBridge writes it: ISO 8601 without milliseconds. */
export function nowIso(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An ISO 8601 time as EventBridge writes it, or a clear error naming the option. */
export function isoTime(value: string, what: string): string {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) {
    throw new Error(`${what} must be an ISO 8601 time, got ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
