/**
 * Pure logic of the SaaS-CRM blueprint's handlers: the lead a webhook carries, and the contact the upsert function
 * receives (built by the route's input transformer) cut down to the allowlist.
 */
import { Checker, isObject, requireObject, validateAgainstSchema } from '../../runtime-shared/validation';
import { CONTACT_ATTRIBUTE, CONTACT_EVENT_ID, LEAD_FIELDS, LEAD_UPDATED, LIMITS } from '../contract';
import type { LeadUpdatedDetail } from './contract.generated';

/** A contact for the marketing tool: `externalId` (the CRM's lead id) and the allowed attributes that have a value. */
export interface Contact {
  readonly externalId: string;
  readonly attributes: Record<string, string | boolean>;
  /**
   * When the CRM changed the lead (`updatedAt`, whether or not it is an allowed attribute), epoch milliseconds: orders
   * the updates of one contact. Undefined when the input has none that reads as a time.
   */
  readonly updatedAtMs?: number;
  /** The EventBridge event id, stable across EventBridge's retries: the idempotency key. */
  readonly eventId: string;
}

/** The largest time a JavaScript Date holds, in milliseconds. */
const MAX_EPOCH_MS = 8.64e15;

/** The contact's keys (the idempotency key included), checked before its attributes. */
const CONTACT_KEYS_SCHEMA = {
  type: 'object',
  required: ['externalId', CONTACT_EVENT_ID],
  properties: {
    externalId: { type: 'string', minLength: 1, maxLength: LIMITS.maxLeadIdLength },
    [CONTACT_EVENT_ID]: { type: 'string', minLength: 1, maxLength: 128 },
  },
};

/**
 * Validate a webhook body against the `LeadUpdated` contract (`leadId` and `updatedAt` required, the other known
 * fields optional; `null` means absent). Unknown fields are dropped here: they never reach the bus.
 * @throws InvalidEventError listing the problems
 */
export function parseLeadWebhook(body: unknown): LeadUpdatedDetail {
  const what = 'lead webhook';
  const obj = requireObject(body, 'body', what);
  const known: Record<string, unknown> = {};
  for (const field of LEAD_FIELDS) {
    if (obj[field] !== undefined && obj[field] !== null) known[field] = obj[field];
  }
  return validateAgainstSchema<LeadUpdatedDetail>(LEAD_UPDATED.detailSchema, known, what, 'body');
}

/**
 * The contact attributes allowed by the allowlist (lead field names), e.g. `['leadId', 'email']` ->
 * `externalId`, `email`.
 */
export function allowedAttributes(allowedFields: readonly string[]): Set<string> {
  return new Set(allowedFields.map((f) => CONTACT_ATTRIBUTE[f]).filter((a): a is string => a !== undefined));
}

/**
 * Validate the upsert function's input (the contact built by the input transformer) and keep only the allowed
 * attributes that have a value. An input transformer writes `""` for a field the event does not carry (a Salesforce
 * change event carries only the changed fields): such fields are left out, so that the marketing tool keeps its
 * value instead of clearing it.
 * @throws InvalidEventError listing every problem
 */
export function parseContactInput(input: unknown, allowed: ReadonlySet<string>): Contact {
  const obj = requireObject(input, 'input', 'contact');
  validateAgainstSchema(CONTACT_KEYS_SCHEMA, obj, 'contact', 'input');
  const externalId = obj.externalId as string;
  const eventId = obj[CONTACT_EVENT_ID] as string;
  const check = new Checker();
  const attributes: Record<string, string | boolean> = {};
  for (const attribute of Object.values(CONTACT_ATTRIBUTE)) {
    if (attribute === 'externalId' || !allowed.has(attribute)) continue;
    const value = obj[attribute];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'boolean') {
      attributes[attribute] = value;
    } else if (typeof value === 'string') {
      if (value.length > LIMITS.maxFieldLength) check.problem(`input.${attribute} must be at most ${LIMITS.maxFieldLength} characters, got ${value.length}`);
      else attributes[attribute] = value;
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      // Salesforce Event Relay sends date-times as epoch milliseconds (`LastModifiedDate: 1764504000000`).
      attributes[attribute] = attribute === 'updatedAt' && Math.abs(value) <= MAX_EPOCH_MS ? new Date(value).toISOString() : String(value);
    } else if (isObject(value) || Array.isArray(value) || typeof value === 'number') {
      check.problem(`input.${attribute} must be a string, a number or a boolean, got ${Array.isArray(value) ? 'array' : typeof value}`);
    }
  }
  check.done('contact');
  return { externalId, eventId, attributes, updatedAtMs: timeOf(obj.updatedAt) };
}

/** An ISO 8601 date-time or epoch milliseconds, as epoch milliseconds; undefined for anything else. */
function timeOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && Math.abs(value) <= MAX_EPOCH_MS ? value : undefined;
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
