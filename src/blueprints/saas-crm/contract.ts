/**
 * The contract of the SaaS-CRM-to-marketing blueprint, written once: the lead fields, the default allowlist, the
 * lead-to-contact mapping, the `LeadUpdated` JSON Schema (draft 4), environment variable names and limits. Pure data,
 * imported by the construct (saas-crm.ts) and by the handlers (runtime/*.lambda.ts).
 */
import type { ContractData } from '../contract-data';

/** The `source` of the `LeadUpdated` events the webhook receiver puts on the bus. */
export const DEFAULT_WEBHOOK_SOURCE = 'com.example.crm.webhook';

/**
 * Every lead field the blueprint knows, in the order the contact lists them. A preset maps each to a JSON path of
 * the CRM's event; only the allowlisted ones leave the account.
 */
export const LEAD_FIELDS = [
  'leadId', 'email', 'firstName', 'lastName', 'company', 'jobTitle', 'phone', 'country',
  'leadStatus', 'leadSource', 'emailOptOut', 'updatedAt',
] as const;

/**
 * The fields sent to the marketing tool by default: what it needs to address a contact and to respect an opt-out.
 * Phone, job title, country and lead source stay in the account unless allowed.
 */
export const DEFAULT_ALLOWED_FIELDS: readonly string[] = [
  'leadId', 'email', 'firstName', 'lastName', 'company', 'leadStatus', 'emailOptOut', 'updatedAt',
];

/** The contact attribute each lead field becomes (the CRM's lead id is the contact's external id). */
export const CONTACT_ATTRIBUTE: { readonly [field: string]: string } = {
  leadId: 'externalId',
  email: 'email',
  firstName: 'firstName',
  lastName: 'lastName',
  company: 'company',
  jobTitle: 'jobTitle',
  phone: 'phone',
  country: 'country',
  leadStatus: 'leadStatus',
  leadSource: 'leadSource',
  emailOptOut: 'emailOptOut',
  updatedAt: 'updatedAt',
};

/** The contact attribute carrying the EventBridge event id (stable across EventBridge's retries). */
export const CONTACT_EVENT_ID = 'eventId';

export const LIMITS = {
  /** The largest webhook body the receiver reads (PutEvents takes at most 256 KiB per entry, envelope included). */
  maxBodyBytes: { min: 1024, max: 240 * 1024, default: 64 * 1024 },
  /** How far a webhook's timestamp may be from the receiver's clock, in seconds. */
  timestampToleranceSeconds: { min: 1, max: 900, default: 300 },
  /** The upsert function's HTTP timeout, in milliseconds. */
  httpTimeoutMs: { min: 1000, max: 60_000, default: 5000 },
  /** The longest `Retry-After` the upsert function waits for within an invocation, in seconds. */
  maxRetryAfterSeconds: { min: 0, max: 300, default: 20 },
  /** Attempts per invocation of the upsert function when the marketing tool answers 429 or 503. */
  maxAttempts: 3,
  /** The partner bus archive's retention, in days (0 keeps events indefinitely). */
  archiveRetentionDays: { default: 30 },
  maxLeadIdLength: 128,
  maxFieldLength: 1024,
} as const;

/** Environment variables of the webhook receiver. */
export const WEBHOOK_ENV = {
  signingSecretArn: 'SIGNING_SECRET_ARN',
  eventBusName: 'EVENT_BUS_NAME',
  eventSource: 'EVENT_SOURCE',
  maxBodyBytes: 'MAX_BODY_BYTES',
  toleranceSeconds: 'TIMESTAMP_TOLERANCE_SECONDS',
  signatureHeader: 'SIGNATURE_HEADER',
  timestampHeader: 'TIMESTAMP_HEADER',
  replayTableName: 'REPLAY_TABLE_NAME',
} as const;

/** Environment variables of the upsert function. */
export const UPSERT_ENV = {
  marketingSecretArn: 'MARKETING_SECRET_ARN',
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
  allowedFields: 'ALLOWED_FIELDS',
  httpTimeoutMs: 'HTTP_TIMEOUT_MS',
  maxRetryAfterSeconds: 'MAX_RETRY_AFTER_SECONDS',
} as const;

/** Default header names of the webhook signature scheme. */
export const DEFAULT_SIGNATURE_HEADER = 'x-crm-signature';
export const DEFAULT_TIMESTAMP_HEADER = 'x-crm-timestamp';

const text = { type: 'string', maxLength: LIMITS.maxFieldLength };

export const LEAD_UPDATED: ContractData = {
  detailType: 'LeadUpdated',
  description: 'A lead was created or changed in a CRM (received by the webhook receiver, signature verified).',
  detailSchema: {
    type: 'object',
    required: ['leadId', 'updatedAt'],
    properties: {
      leadId: { type: 'string', minLength: 1, maxLength: LIMITS.maxLeadIdLength, pattern: '\\S', description: 'The CRM\'s id of the lead' },
      updatedAt: { type: 'string', format: 'date-time', description: 'When the lead last changed in the CRM (ISO 8601)' },
      email: { type: 'string', format: 'email', maxLength: 254 },
      firstName: text,
      lastName: text,
      company: text,
      jobTitle: text,
      phone: { type: 'string', maxLength: 64 },
      country: { type: 'string', maxLength: 64 },
      leadStatus: { type: 'string', maxLength: 128 },
      leadSource: { type: 'string', maxLength: 128 },
      emailOptOut: { type: 'boolean', description: 'The lead asked not to receive marketing email' },
    },
  },
};
