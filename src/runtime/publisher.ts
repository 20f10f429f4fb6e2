/**
 * `EventPublisher`: sends events to EventBridge from Lambda code (the blueprint handlers' and yours:
 * `import { EventPublisher } from 'cdk-eventbridge-blueprints/lib/runtime/publisher'`; it sends with
 * `@aws-sdk/client-eventbridge`, an optional peer dependency of the package that the Lambda Node.js runtime provides:
 * it is loaded on the first send, so importing this module never needs it).
 *
 * - batches PutEvents by 10 entries and by the request-size limit (sum of entry sizes);
 * - computes entry sizes the way AWS documents it
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html):
 *   Time = 14 bytes if set, UTF-8 bytes of Source, DetailType, Detail and of each Resources entry;
 * - retries only the entries that failed (FailedEntryCount / per-entry ErrorCode), and only for
 *   retryable codes, with exponential backoff and full jitter;
 * - refuses locally, without sending them, entries whose `detail` is not a JSON object, entries larger than the
 *   limit and (with `validateDetail`) details that break the contract's JSON Schema (draft 4, Ajv);
 * - `send()` returns every unpublished entry by index and error code; `publish()` throws a {@link PublishError}
 *   whose message has a bounded size (at most 10 entries listed, then counts by error code).
 */
/* eslint-disable import/no-extraneous-dependencies -- @aws-sdk/* is provided by the Lambda runtime; the library itself never imports this module */
import type { PutEventsCommand, PutEventsCommandOutput, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import Ajv from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv-draft-04';

/** PutEvents accepts at most 10 entries per request. */
export const MAX_ENTRIES_PER_REQUEST = 10;
/** The historical limit for a PutEvents request (and so for one entry): 256 KB. */
export const DEFAULT_MAX_ENTRY_BYTES = 256 * 1024;
/** The limit EventBridge has accepted since January 2026: 1 MB. */
export const MAX_SUPPORTED_ENTRY_BYTES = 1024 * 1024;
/** Per-entry error codes worth retrying; the others (InvalidArgument, MalformedDetail, AccessDenied...) are not. */
export const DEFAULT_RETRYABLE_ERROR_CODES: readonly string[] = [
  'InternalFailure',
  'InternalException',
  'ThrottlingException',
  'ThrottledException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
];

const SDK_MODULE = '@aws-sdk/client-eventbridge';
let putEventsCommandClass: typeof PutEventsCommand | undefined;

/** The SDK's PutEventsCommand, required on first use: the package declares the SDK as an optional peer dependency. */
function putEventsCommand(): typeof PutEventsCommand {
  if (putEventsCommandClass === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      putEventsCommandClass = (require('@aws-sdk/client-eventbridge') as typeof import('@aws-sdk/client-eventbridge')).PutEventsCommand;
    } catch (err) {
      if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND') throw err;
      throw new Error(`EventPublisher sends with ${SDK_MODULE}, which is not installed: the Lambda Node.js runtime provides it; `
        + `elsewhere add it to your dependencies (npm install ${SDK_MODULE})`);
    }
  }
  return putEventsCommandClass;
}

/** Anything with the `send` of an EventBridgeClient for PutEvents (an EventBridgeClient, or a fake in unit tests). */
export interface PutEventsClient {
  send(command: PutEventsCommand): Promise<PutEventsCommandOutput>;
}

/**
 * What the publisher needs of an event's contract: an `EventContract` construct has these fields, and so can a
 * plain module of constants shared by your stack and your function.
 */
export interface PublisherContract {
  readonly source: string;
  readonly detailType: string;
  /** JSON Schema draft 4 of the `detail`, for `validateDetail`. */
  readonly detailSchema?: object;
}

/** An event to publish. */
export interface OutgoingEvent<TDetail = unknown> {
  readonly detailType: string;
  /** A JSON object (anything else is refused locally), serialized with JSON.stringify. */
  readonly detail: TDetail;
  /** @default - the publisher's source */
  readonly source?: string;
  readonly resources?: string[];
  readonly time?: Date;
  /** X-Ray trace header. Not counted in the size (AWS does not count it either). */
  readonly traceHeader?: string;
}

export interface EventPublisherOptions {
  readonly client: PutEventsClient;
  /** Name or ARN of the bus. */
  readonly eventBusName: string;
  /** Default `source` of the events. */
  readonly source: string;
  /** @default DEFAULT_MAX_ENTRY_BYTES (256 KB) */
  readonly maxEntryBytes?: number;
  /** Total attempts for an entry, the first one included. @default 5 */
  readonly maxAttempts?: number;
  /** @default 100 */
  readonly baseDelayMs?: number;
  /** @default 5000 */
  readonly maxDelayMs?: number;
  /** @default DEFAULT_RETRYABLE_ERROR_CODES */
  readonly retryableErrorCodes?: readonly string[];
  /** Injectable for tests. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injectable for tests, in [0, 1). @default Math.random */
  readonly random?: () => number;
  /**
   * JSON Schemas (draft 4) of `detail` by detail-type: entries of these detail-types whose detail breaks its schema
   * are refused locally (error code `SchemaViolation`). @default - no schema check
   */
  readonly detailSchemas?: Readonly<Record<string, object>>;
}

/** Error codes of entries refused locally, never sent. */
export const LOCAL_ERROR_CODES = {
  invalidDetail: 'InvalidDetail',
  entryTooLarge: 'EntryTooLarge',
  schemaViolation: 'SchemaViolation',
  emptyDetailType: 'EmptyDetailType',
  invalidEntry: 'InvalidEntry',
} as const;

/** The longest error message kept per entry. */
const MAX_ENTRY_MESSAGE = 200;
/** Entries listed by name in a {@link PublishError}'s message. */
const LISTED_FAILURES = 10;

/** An entry that could not be published. */
export interface FailedEntry {
  /** Position in the array given to `publish()`. */
  readonly index: number;
  readonly detailType: string;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly attempts: number;
}

export interface PublishResult {
  /** EventBridge event ids, in the order of the events given; `''` for an unpublished event. */
  readonly eventIds: string[];
  /** Number of PutEvents requests sent (retries included). */
  readonly requests: number;
}

/** The result of {@link EventPublisher.send}: what was published and every entry that was not. */
export interface SendResult extends PublishResult {
  /** Every unpublished entry, by index (ascending), with its last error code. Empty when all were published. */
  readonly unpublished: FailedEntry[];
}

/**
 * Thrown by `publish()` when some entries were not published: `failures` lists every one of them. The message
 * lists at most 10 and counts the rest by error code, so its size stays bounded (10,000 failures make a message of
 * a few kilobytes, not megabytes).
 */
export class PublishError extends Error {
  public readonly failures: FailedEntry[];
  public readonly publishedCount: number;

  constructor(failures: FailedEntry[], publishedCount: number) {
    const describe = (f: FailedEntry) =>
      `#${f.index} ${f.detailType.slice(0, 128)}: ${f.errorCode}: ${f.errorMessage} (after ${f.attempts} attempt${f.attempts === 1 ? '' : 's'})`;
    const listed = failures.slice(0, LISTED_FAILURES).map(describe).join('; ');
    let rest = '';
    if (failures.length > LISTED_FAILURES) {
      const byCode = new Map<string, number>();
      for (const f of failures.slice(LISTED_FAILURES)) byCode.set(f.errorCode, (byCode.get(f.errorCode) ?? 0) + 1);
      const counts = [...byCode].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([code, n]) => `${code}: ${n}`).join(', ');
      rest = `; and ${failures.length - LISTED_FAILURES} more (${counts}${byCode.size > 10 ? ', ...' : ''}); see .failures`;
    }
    super(`Failed to publish ${failures.length} of ${failures.length + publishedCount} event(s) to EventBridge: ${listed}${rest}`);
    this.name = 'PublishError';
    this.failures = failures;
    this.publishedCount = publishedCount;
  }
}

/** The message of an entry larger than the limit. */
/**
 * AWS: "The total entry size must be less than 256KB"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html): an entry, and the entries of one
 * request together, must stay strictly below the limit.
 */
function tooLargeMessage(size: number, limit: number): string {
  return `the entry is ${size} bytes; a PutEvents entry must be less than ${limit} bytes. Send a reference (for example an S3 object URL) instead of the payload`;
}

/** A bounded rendering of an error message. */
function bounded(message: string): string {
  return message.length > MAX_ENTRY_MESSAGE ? `${message.slice(0, MAX_ENTRY_MESSAGE - 3)}...` : message;
}

function isJsonObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const utf8Bytes = (value: string | undefined) => (value === undefined ? 0 : Buffer.byteLength(value, 'utf8'));

/** Size of a PutEvents entry as EventBridge computes it (see the module comment). */
export function entrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time !== undefined ? 14 : 0;
  size += utf8Bytes(entry.Source) + utf8Bytes(entry.DetailType) + utf8Bytes(entry.Detail);
  for (const resource of entry.Resources ?? []) {
    size += utf8Bytes(resource);
  }
  return size;
}

/**
 * Split entries into requests of at most `maxEntries` entries whose sizes add up to at most `maxBytes`,
 * keeping their order. Every entry must fit on its own (check with {@link entrySize} first).
 * Returns, for each request, the positions of its entries.
 */
export function planBatches(sizes: readonly number[], maxBytes: number, maxEntries = MAX_ENTRIES_PER_REQUEST): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let currentBytes = 0;
  sizes.forEach((size, i) => {
    if (size >= maxBytes) {
      throw new Error(`entry #${i} is ${size} bytes; entries must be less than ${maxBytes} bytes`);
    }
    if (current.length > 0 && (current.length >= maxEntries || currentBytes + size >= maxBytes)) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(i);
    currentBytes += size;
  });
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Full jitter: a random delay between 0 and min(maxDelay, base * 2^retry). `retry` starts at 0. */
export function backoffDelay(retry: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/** Parse `EVENT_MAX_ENTRY_BYTES`: a positive integer, at most 1 MB. */
export function parseMaxEntryBytes(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_MAX_ENTRY_BYTES;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > MAX_SUPPORTED_ENTRY_BYTES) {
    throw new Error(`EVENT_MAX_ENTRY_BYTES must be an integer between 1 and ${MAX_SUPPORTED_ENTRY_BYTES}, got '${value}'`);
  }
  return n;
}

interface Pending {
  readonly index: number;
  readonly entry: PutEventsRequestEntry;
  readonly size: number;
  attempts: number;
  lastErrorCode?: string;
  lastErrorMessage?: string;
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

export class EventPublisher {
  /**
   * A publisher of one contract's events: source and detail-type from the contract, and with
   * `validateDetail: true` the detail checked against the contract's schema before anything is sent.
   */
  public static forContract<TDetail extends object>(
    contract: PublisherContract,
    options: Omit<EventPublisherOptions, 'source' | 'detailSchemas'> & { readonly validateDetail?: boolean },
  ): ContractPublisher<TDetail> {
    if (options.validateDetail && contract.detailSchema === undefined) {
      throw new Error(`validateDetail needs the contract's detailSchema, and ${contract.detailType} has none`);
    }
    const publisher = new EventPublisher({
      ...options,
      source: contract.source,
      ...(options.validateDetail ? { detailSchemas: { [contract.detailType]: contract.detailSchema! } } : {}),
    });
    return new ContractPublisher<TDetail>(publisher, contract.detailType);
  }

  private readonly client: PutEventsClient;
  private readonly eventBusName: string;
  private readonly source: string;
  private readonly maxEntryBytes: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly retryable: ReadonlySet<string>;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(options: EventPublisherOptions) {
    this.client = options.client;
    this.eventBusName = options.eventBusName;
    this.source = options.source;
    this.maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.retryable = new Set(options.retryableErrorCodes ?? DEFAULT_RETRYABLE_ERROR_CODES);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    if (!Number.isInteger(this.maxEntryBytes) || this.maxEntryBytes <= 0) {
      throw new Error(`maxEntryBytes must be a positive integer, got ${this.maxEntryBytes}`);
    }
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new Error(`maxAttempts must be an integer >= 1, got ${this.maxAttempts}`);
    }
    if (!this.eventBusName) throw new Error('eventBusName must not be empty');
    if (!this.source) throw new Error('source must not be empty');
    if (options.detailSchemas) {
      // Draft 4 as the schema registry stores it; formats are not asserted (EventBridge does not know them either).
      const ajv = new Ajv({ allErrors: false, strict: false, validateFormats: false });
      for (const [detailType, schema] of Object.entries(options.detailSchemas)) {
        this.validators.set(detailType, ajv.compile(schema));
      }
    }
  }

  /**
   * Build the PutEvents entry for an event (exported for tests and for size checks). Throws when the event would be
   * refused (see `send()`, which reports such an event for itself and sends the others).
   */
  public toEntry(event: OutgoingEvent): PutEventsRequestEntry {
    const checked = this.check(event);
    if ('code' in checked) throw new Error(`${checked.code}: ${checked.message}`);
    return checked.entry;
  }

  /**
   * Publishes events; resolves with the event ids when all are accepted, throws a {@link PublishError} (listing
   * every unpublished entry in `failures`) otherwise.
   */
  public async publish(events: readonly OutgoingEvent[]): Promise<PublishResult> {
    const result = await this.send(events);
    if (result.unpublished.length > 0) {
      throw new PublishError(result.unpublished, events.length - result.unpublished.length);
    }
    return { eventIds: result.eventIds, requests: result.requests };
  }

  /**
   * Publishes events and reports, without throwing, every entry that was not published (by index and error code):
   * refused locally, refused by EventBridge with a non-retryable code, or still failing after `maxAttempts`.
   */
  public async send(events: readonly OutgoingEvent[]): Promise<SendResult> {
    const eventIds: string[] = new Array(events.length).fill('');
    const lost: Pending[] = [];
    let pending: Pending[] = [];
    events.forEach((event, index) => {
      const checked = this.check(event);
      if ('code' in checked) {
        const entry = { DetailType: typeof event?.detailType === 'string' ? event.detailType : '' };
        lost.push({ index, entry, size: 0, attempts: 0, lastErrorCode: checked.code, lastErrorMessage: checked.message });
        return;
      }
      const entry = checked.entry;
      const size = entrySize(entry);
      if (size >= this.maxEntryBytes) {
        const message = tooLargeMessage(size, this.maxEntryBytes);
        lost.push({ index, entry, size, attempts: 0, lastErrorCode: LOCAL_ERROR_CODES.entryTooLarge, lastErrorMessage: message });
        return;
      }
      pending.push({ index, entry, size, attempts: 0 });
    });

    // A missing SDK is a set-up error, not a failed entry: it throws before anything is sent.
    const PutEvents = pending.length > 0 ? putEventsCommand() : undefined;
    let requests = 0;
    for (let round = 0; pending.length > 0; round++) {
      if (round > 0) {
        await this.sleep(backoffDelay(round - 1, this.baseDelayMs, this.maxDelayMs, this.random));
      }
      const failed: Pending[] = [];
      const batches = planBatches(pending.map((p) => p.size), this.maxEntryBytes);
      for (const batch of batches) {
        const items = batch.map((i) => pending[i]);
        items.forEach((p) => p.attempts++);
        requests++;
        let output: PutEventsCommandOutput | undefined;
        try {
          output = await this.client.send(new PutEvents!({ Entries: items.map((p) => p.entry) }));
        } catch (err) {
          // The whole request failed (after the SDK's own retries): every entry of the batch failed.
          const e = (err ?? {}) as ErrorLike;
          const code = typeof e.name === 'string' ? e.name.slice(0, 64) : 'Error';
          const message = bounded(typeof e.message === 'string' ? e.message : String(err));
          const retry = this.retryable.has(code) || e.$retryable !== undefined || (e.$metadata?.httpStatusCode ?? 0) >= 500;
          for (const p of items) {
            p.lastErrorCode = code;
            p.lastErrorMessage = message;
            (retry ? failed : lost).push(p);
          }
          continue;
        }
        const results = output.Entries ?? [];
        items.forEach((p, i) => {
          const result = results[i];
          if (result?.EventId && !result.ErrorCode) {
            eventIds[p.index] = result.EventId;
            return;
          }
          p.lastErrorCode = (result?.ErrorCode ?? 'MissingResult').slice(0, 64);
          p.lastErrorMessage = bounded(result?.ErrorMessage ?? (result ? 'no EventId returned' : 'PutEvents returned no result for this entry'));
          (this.retryable.has(p.lastErrorCode) ? failed : lost).push(p);
        });
      }
      pending = [];
      for (const p of failed) {
        (p.attempts >= this.maxAttempts ? lost : pending).push(p);
      }
    }

    lost.sort((a, b) => a.index - b.index);
    const unpublished = lost.map((p) => ({
      index: p.index,
      detailType: p.entry.DetailType ?? '',
      errorCode: p.lastErrorCode ?? 'Unknown',
      errorMessage: p.lastErrorMessage ?? '',
      attempts: p.attempts,
    }));
    return { eventIds, requests, unpublished };
  }

  /**
   * The event's PutEvents entry, or why it is refused locally. Nothing a caller passes makes this throw: a detail that
   * JSON cannot serialize (a cycle, a BigInt, a throwing getter or toJSON) or that serializes to anything but an object
   * is refused for this entry alone. Messages name the problem, never the value.
   */
  private check(event: OutgoingEvent): { entry: PutEventsRequestEntry } | { code: string; message: string } {
    if (typeof event?.detailType !== 'string' || event.detailType === '') {
      return { code: LOCAL_ERROR_CODES.emptyDetailType, message: 'detailType must be a non-empty string' };
    }
    if (event.source !== undefined && (typeof event.source !== 'string' || event.source === '')) {
      return { code: LOCAL_ERROR_CODES.invalidEntry, message: 'source must be a non-empty string when given' };
    }
    if (event.resources !== undefined && (!Array.isArray(event.resources) || event.resources.some((r) => typeof r !== 'string'))) {
      return { code: LOCAL_ERROR_CODES.invalidEntry, message: 'resources must be an array of strings' };
    }
    if (event.time !== undefined && !(event.time instanceof Date && Number.isFinite(event.time.getTime()))) {
      return { code: LOCAL_ERROR_CODES.invalidEntry, message: 'time must be a valid Date' };
    }
    if (!isJsonObject(event.detail)) {
      const got = Array.isArray(event.detail) ? 'an array' : event.detail === null ? 'null' : `a ${typeof event.detail}`;
      return { code: LOCAL_ERROR_CODES.invalidDetail, message: `detail must be a JSON object (EventBridge requires one), got ${got}` };
    }
    let detail: string | undefined;
    try {
      detail = JSON.stringify(event.detail);
    } catch (err) {
      const name = err instanceof Error ? err.name : 'Error';
      return { code: LOCAL_ERROR_CODES.invalidDetail, message: `detail cannot be serialized to JSON (${name}: a cycle, a BigInt, or a getter or toJSON that throws)` };
    }
    if (typeof detail !== 'string' || !detail.startsWith('{')) {
      return { code: LOCAL_ERROR_CODES.invalidDetail, message: 'detail must serialize to a JSON object (EventBridge requires one); its toJSON returns something else' };
    }
    const validate = this.validators.get(event.detailType);
    if (validate && !validate(JSON.parse(detail))) {
      const first = validate.errors?.[0];
      return {
        code: LOCAL_ERROR_CODES.schemaViolation,
        message: bounded(`detail${first?.instancePath ?? ''} ${first?.message ?? 'does not match the schema'} (contract of ${event.detailType})`),
      };
    }
    return {
      entry: {
        EventBusName: this.eventBusName,
        Source: event.source ?? this.source,
        DetailType: event.detailType,
        Detail: detail,
        ...(event.resources && event.resources.length > 0 ? { Resources: event.resources } : {}),
        ...(event.time ? { Time: event.time } : {}),
        ...(event.traceHeader ? { TraceHeader: event.traceHeader } : {}),
      },
    };
  }
}

/** A publisher of one contract's events (see {@link EventPublisher.forContract}). */
export class ContractPublisher<TDetail extends object> {
  constructor(private readonly publisher: EventPublisher, public readonly detailType: string) {}

  /** Publishes details; throws a {@link PublishError} when some were not published. */
  public publish(details: readonly TDetail[], options: { readonly resources?: string[]; readonly time?: Date } = {}): Promise<PublishResult> {
    return this.publisher.publish(details.map((detail) => ({ detailType: this.detailType, detail, ...options })));
  }

  /** Publishes details and reports every unpublished one by index and error code. */
  public send(details: readonly TDetail[], options: { readonly resources?: string[]; readonly time?: Date } = {}): Promise<SendResult> {
    return this.publisher.send(details.map((detail) => ({ detailType: this.detailType, detail, ...options })));
  }
}
