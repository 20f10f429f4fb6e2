/**
 * Pure logic of the error-to-ticket blueprint: read an `ErrorReported` event or a CloudWatch
 * `Alarm State Change` event, and compute the fingerprint used to deduplicate tickets.
 *
 * CloudWatch alarm event shape (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html):
 *   { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', account, region,
 *     resources: ['arn:aws:cloudwatch:<region>:<account>:alarm:<name>'],
 *     detail: { alarmName, state: { value: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA', reason, reasonData?, timestamp },
 *               previousState: { value, reason, timestamp }, configuration: { description?, metrics?, alarmRule? } } }
 */
import { createHash } from 'node:crypto';
import { Checker, eventDetail, isObject, nullAsAbsent, validateAgainstSchema } from '../../runtime-shared/validation';
import type { JsonObject } from '../../runtime-shared/validation';
import {
  ALARM_DETAIL_TYPE, ALARM_SEVERITY, ALARM_SOURCE, ALARM_STATE_CHANGE_DETAIL_SCHEMA, ERROR_REPORTED, LIMITS, SEVERITIES,
} from '../contract';
import type { AlarmStateChangeDetail, ErrorReportedDetail } from './contract.generated';

export { ALARM_DETAIL_TYPE, ALARM_SEVERITY, ALARM_SOURCE, SEVERITIES };
export type Severity = (typeof SEVERITIES)[number];

export interface TicketRequest {
  readonly kind: 'error' | 'alarm';
  /** Deduplication key: `custom:<detail.fingerprint>`, `error:<sha256>` or `alarm:<account>:<region>:<alarmName>`. */
  readonly fingerprint: string;
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly occurredAt?: string;
  /** Searchable attributes for the ticketing system (service, errorType or alarmName, account, region...). */
  readonly labels: Record<string, string>;
  /** The EventBridge event id (stable across EventBridge retries). */
  readonly eventId?: string;
}

/** An event this handler accepts but does not open tickets for (an alarm going back to OK, for example). */
export interface IgnoredEvent {
  readonly ignored: string;
}

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(z|[+-]\d{2}:?\d{2})?\b/g;
/**
 * Hex-looking words. One character class per word, so the match is linear in the message's length (the former
 * alternation of `[0-9a-f]*\d[0-9a-f]*[a-f]...` backtracked quadratically on long runs of digits).
 */
const HEX_WORD = /\b(?:0x)?[0-9a-f]+\b/g;
const HAS_DIGIT = /\d/;
const HAS_HEX_LETTER = /[a-f]/;

/** A hex id: 8+ characters, `0x...` or mixing digits and letters (plain numbers and words are left alone). */
function isHexId(word: string): boolean {
  if (word.length < 8) return false;
  return word.startsWith('0x') || (HAS_DIGIT.test(word) && HAS_HEX_LETTER.test(word));
}
const QUOTED = /'[^']*'|"[^"]*"|`[^`]*`/g;
const NUMBER = /\d+/g;

/**
 * Normalize an error message so that occurrences of the same error share a fingerprint: lower case,
 * UUIDs, timestamps, quoted values, hex ids (8+ chars mixing digits and letters) and numbers replaced by
 * placeholders, whitespace collapsed.
 */
export function normalizeMessage(message: string): string {
  return message
    .toLowerCase()
    .replace(UUID, '<uuid>')
    .replace(ISO_TIME, '<time>')
    .replace(QUOTED, '<str>')
    .replace(HEX_WORD, (m) => (isHexId(m) ? '<hex>' : m))
    .replace(NUMBER, '<n>')
    .replace(/\s+/g, ' ')
    .trim();
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/** Fingerprint of an application error: the producer's own fingerprint, else a hash of service, type and normalized message. */
export function errorFingerprint(input: { service: string; errorType: string; message: string; fingerprint?: string }): string {
  if (input.fingerprint !== undefined) return `custom:${input.fingerprint}`;
  return `error:${sha256(JSON.stringify([input.service, input.errorType, normalizeMessage(input.message)])).slice(0, 40)}`;
}

export function alarmFingerprint(account: string, region: string, alarmName: string): string {
  return `alarm:${account}:${region}:${alarmName}`;
}

const ALARM_ARN = /^arn:[^:]+:cloudwatch:([^:]*):(\d{12}):alarm:(.+)$/;

/**
 * Validate an event and turn it into a ticket request.
 * @throws InvalidEventError listing every problem
 */
export function parseTicketEvent(event: unknown): TicketRequest | IgnoredEvent {
  const rawDetail = eventDetail(event, 'event');
  const envelope = event as JsonObject;
  const eventId = typeof envelope.id === 'string' && envelope.id !== '' ? envelope.id : undefined;
  if (envelope.source === ALARM_SOURCE && envelope['detail-type'] === ALARM_DETAIL_TYPE) {
    return parseAlarm(envelope, rawDetail, eventId);
  }
  return parseErrorReported(rawDetail, eventId);
}

function parseErrorReported(rawDetail: JsonObject, eventId: string | undefined): TicketRequest {
  const what = 'ErrorReported event';
  // Producers often send null for an absent optional field.
  const detail = validateAgainstSchema<ErrorReportedDetail>(
    ERROR_REPORTED.detailSchema, nullAsAbsent(rawDetail, ['severity', 'fingerprint', 'occurredAt']), what, 'detail');
  // What JSON Schema cannot say: the fingerprint is a DynamoDB key, limited in UTF-8 bytes.
  const check = new Checker();
  if (detail.fingerprint !== undefined) {
    check.maxUtf8Bytes(detail.fingerprint, 'detail.fingerprint', LIMITS.maxFingerprintBytes);
  }
  check.done(what);
  const { service: s, errorType: t, message: m, fingerprint, occurredAt } = detail;
  const severity = detail.severity ?? 'medium';
  const firstLine = m.split('\n', 1)[0];
  return {
    kind: 'error',
    fingerprint: errorFingerprint({ service: s, errorType: t, message: m, fingerprint }),
    title: `[${severity}] ${s}: ${t}: ${firstLine.length > 120 ? `${firstLine.slice(0, 117)}...` : firstLine}`,
    description: m,
    severity,
    ...(occurredAt !== undefined ? { occurredAt } : {}),
    labels: { service: s, errorType: t },
    ...(eventId !== undefined ? { eventId } : {}),
  };
}

function parseAlarm(envelope: JsonObject, rawDetail: JsonObject, eventId: string | undefined): TicketRequest | IgnoredEvent {
  const detail = validateAgainstSchema<AlarmStateChangeDetail>(ALARM_STATE_CHANGE_DETAIL_SCHEMA, rawDetail, 'CloudWatch Alarm State Change event', 'detail');
  const { alarmName, state } = detail;
  const value = state.value;
  if (value !== 'ALARM') return { ignored: `alarm ${alarmName} changed to ${value}, not ALARM` };

  // `account` and `region` are in every real envelope; the alarm ARN in `resources` is the fallback.
  const resources = Array.isArray(envelope.resources) ? envelope.resources : [];
  const arn = resources.map((r) => (typeof r === 'string' ? ALARM_ARN.exec(r) : null)).find((m) => m !== null);
  const account = typeof envelope.account === 'string' && envelope.account ? envelope.account : arn?.[2] ?? 'unknown-account';
  const region = typeof envelope.region === 'string' && envelope.region ? envelope.region : arn?.[1] ?? 'unknown-region';
  const reason = state.reason ?? '';
  const timestamp = state.timestamp;
  const configuration = isObject(detail.configuration) ? detail.configuration : {};
  const description = typeof configuration.description === 'string' ? configuration.description : '';
  const previous = isObject(detail.previousState) && typeof detail.previousState.value === 'string' ? detail.previousState.value : undefined;
  return {
    kind: 'alarm',
    fingerprint: alarmFingerprint(account, region, alarmName),
    title: `[${ALARM_SEVERITY}] CloudWatch alarm ${alarmName} is in ALARM (${account}, ${region})`,
    description: [description, reason, previous ? `Previous state: ${previous}` : ''].filter((s) => s !== '').join('\n\n'),
    severity: ALARM_SEVERITY,
    ...(timestamp !== undefined ? { occurredAt: timestamp } : {}),
    labels: { alarmName, account, region },
    ...(eventId !== undefined ? { eventId } : {}),
  };
}

export function isIgnored(parsed: TicketRequest | IgnoredEvent): parsed is IgnoredEvent {
  return 'ignored' in parsed;
}
