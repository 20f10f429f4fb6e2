/**
 * Pure logic of the SaaS-CRM blueprint's handlers: the lead a webhook carries, and the contact the upsert function
 * receives (built by the route's input transformer) cut down to the allowlist.
 */
import { Checker, isObject } from '../../runtime-shared/validation';
import { CONTACT_ATTRIBUTE, CONTACT_EVENT_ID, LEAD_FIELDS, LIMITS } from '../contract';

/** A lead as the webhook receiver puts it on the bus (the `LeadUpdated` detail). */
export interface Lead {
  readonly leadId: string;
  readonly updatedAt: string;
  readonly [field: string]: string | boolean;
}

/** A contact for the marketing tool: `externalId` (the CRM's lead id) and the allowed attributes that have a value. */
export interface Contact {
  readonly externalId: string;
  readonly attributes: Record<string, string | boolean>;
  /** The EventBridge event id, stable across EventBridge's retries: the idempotency key. */
  readonly eventId: string;
}

/** The largest time a JavaScript Date holds, in milliseconds. */
const MAX_EPOCH_MS = 8.64e15;

const STRING_LIMITS: Record<string, number> = { email: 254, phone: 64, country: 64, leadStatus: 128, leadSource: 128 };

/**
 * Validate a webhook body as a `LeadUpdated` detail: `leadId` and `updatedAt` required, the other known fields
 * optional (strings, `emailOptOut` a boolean). Unknown fields are dropped here: they never reach the bus.
 * @throws InvalidEventError listing every problem
 */
export function parseLeadWebhook(body: unknown): Lead {
  const check = new Checker();
  const obj = check.object(body, 'body');
  if (!obj) {
    check.done('lead webhook');
    throw new Error('unreachable');
  }
  const lead: Record<string, string | boolean> = {};
  const leadId = check.string(obj.leadId, 'body.leadId', { maxLength: LIMITS.maxLeadIdLength });
  const updatedAt = check.isoTimestamp(obj.updatedAt, 'body.updatedAt');
  for (const field of LEAD_FIELDS) {
    if (field === 'leadId' || field === 'updatedAt') continue;
    const value = obj[field];
    if (value === undefined || value === null) continue;
    if (field === 'emailOptOut') {
      if (typeof value === 'boolean') lead[field] = value;
      else check.problem(`body.emailOptOut must be a boolean, got ${typeof value}`);
      continue;
    }
    const text = check.optionalString(value, `body.${field}`, { maxLength: STRING_LIMITS[field] ?? LIMITS.maxFieldLength });
    if (text !== undefined) lead[field] = text;
  }
  check.done('lead webhook');
  return { leadId: leadId!, updatedAt: updatedAt!, ...lead };
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
  const check = new Checker();
  const obj = check.object(input, 'input');
  if (!obj) {
    check.done('contact');
    throw new Error('unreachable');
  }
  const externalId = check.string(obj.externalId, 'input.externalId', { maxLength: LIMITS.maxLeadIdLength });
  const eventId = check.string(obj[CONTACT_EVENT_ID], `input.${CONTACT_EVENT_ID}`, { maxLength: 128 });
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
  return { externalId: externalId!, eventId: eventId!, attributes };
}
