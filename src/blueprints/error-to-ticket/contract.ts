/**
 * The contract of the error-to-ticket blueprint, written once: detail-types, the `ErrorReported` JSON Schema
 * (draft 4), environment variable names and limits. Pure data, imported by the construct (error-to-ticket.ts)
 * and by the handler (runtime/open-ticket.lambda.ts).
 */
import type { ContractData } from '../contract-data';

export const DEFAULT_ERROR_SOURCE = 'com.example.app';
export const ALARM_SOURCE = 'aws.cloudwatch';
export const ALARM_DETAIL_TYPE = 'CloudWatch Alarm State Change';
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
/** Severity of tickets opened for CloudWatch alarms. */
export const ALARM_SEVERITY = 'high';

export const LIMITS = {
  /** The deduplication window (`dedupWindow`), in seconds: 1 minute to 366 days. */
  dedupWindowSeconds: { min: 60, max: 366 * 86_400, default: 3600 },
  /** The HTTP timeout (`httpTimeout`), in milliseconds: 1 second to 10 minutes. */
  httpTimeoutMs: { min: 1000, max: 600_000, default: 5000 },
  /** The function's timeout is the HTTP timeout plus this, and at least `minFunctionTimeoutSeconds`. */
  functionTimeoutMarginSeconds: 20,
  minFunctionTimeoutSeconds: 30,
  /** A claim outlives the function's timeout by this much. */
  claimLeaseMarginSeconds: 30,
  maxMessageLength: 65_536,
  /** A producer's fingerprint, in UTF-8 bytes (the dedup table's partition key allows 2,048). */
  maxFingerprintBytes: 512,
} as const;

export const ENV = {
  secretArn: 'TICKETING_SECRET_ARN',
  dedupTableName: 'DEDUP_TABLE_NAME',
  dedupWindowSeconds: 'DEDUP_WINDOW_SECONDS',
  httpTimeoutMs: 'HTTP_TIMEOUT_MS',
  claimLeaseSeconds: 'CLAIM_LEASE_SECONDS',
  secretCacheTtlSeconds: 'SECRET_CACHE_TTL_SECONDS',
} as const;

export const ERROR_REPORTED: ContractData = {
  detailType: 'ErrorReported',
  description: 'An application reported an error that should open a ticket',
  detailSchema: {
    type: 'object',
    required: ['service', 'errorType', 'message'],
    properties: {
      service: { type: 'string', minLength: 1, maxLength: 256, pattern: '\\S', description: 'The service that failed' },
      errorType: { type: 'string', minLength: 1, maxLength: 256, pattern: '\\S', description: 'The error class or code' },
      message: {
        type: 'string',
        minLength: 1,
        maxLength: LIMITS.maxMessageLength,
        pattern: '\\S',
        description: 'The error message; its first line becomes the ticket title',
      },
      severity: { type: 'string', enum: [...SEVERITIES], description: 'Defaults to medium' },
      fingerprint: {
        type: 'string',
        minLength: 1,
        maxLength: LIMITS.maxFingerprintBytes,
        description: 'Deduplication key chosen by the producer (at most 512 UTF-8 bytes); defaults to a hash of service, errorType and the normalized message',
      },
      occurredAt: { type: 'string', format: 'date-time', description: 'When the error occurred (ISO 8601)' },
    },
  },
};

/**
 * The part of CloudWatch's `Alarm State Change` detail the handler reads (an AWS event, so not registered as a
 * contract of ours; the handler validates against it).
 */
export const ALARM_STATE_CHANGE_DETAIL_SCHEMA = {
  type: 'object',
  required: ['alarmName', 'state'],
  properties: {
    alarmName: { type: 'string', minLength: 1, maxLength: 255, pattern: '\\S' },
    state: {
      type: 'object',
      required: ['value'],
      properties: { value: { type: 'string', minLength: 1, maxLength: 64 }, reason: { type: 'string' }, timestamp: { type: 'string' } },
    },
    // Read when they are objects, ignored otherwise: no type, so they validate as before and are typed `unknown`.
    previousState: { description: 'The state before the change; its `value` goes into the ticket when it is a string.' },
    configuration: { description: 'The alarm\'s configuration; its `description` goes into the ticket when it is a string.' },
  },
} as const;
