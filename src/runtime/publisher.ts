/**
 * The one module that sends events to EventBridge for every blueprint handler.
 *
 * - batches PutEvents by 10 entries and by the request-size limit (sum of entry sizes);
 * - computes entry sizes the way AWS documents it
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html):
 *   Time = 14 bytes if set, UTF-8 bytes of Source, DetailType, Detail and of each Resources entry;
 * - retries only the entries that failed (FailedEntryCount / per-entry ErrorCode), and only for
 *   retryable codes, with exponential backoff and full jitter;
 * - throws a {@link PublishError} naming every lost entry when it gives up, and an
 *   {@link EntryTooLargeError} before sending anything when an entry is larger than the limit.
 */
/* eslint-disable import/no-extraneous-dependencies -- runtime code bundled into the Lambda assets by esbuild (@aws-sdk/* is provided by the runtime); never imported by the construct library */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { PutEventsCommandOutput, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

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

/** Anything with the `send` of an EventBridgeClient for PutEvents (an EventBridgeClient, or a fake in unit tests). */
export interface PutEventsClient {
  send(command: PutEventsCommand): Promise<PutEventsCommandOutput>;
}

/** An event to publish. */
export interface OutgoingEvent {
  readonly detailType: string;
  /** Serialized with JSON.stringify. */
  readonly detail: unknown;
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
}

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
  /** EventBridge event ids, in the order of the events given to `publish()`. */
  readonly eventIds: string[];
  /** Number of PutEvents requests sent (retries included). */
  readonly requests: number;
}

/** Thrown when the publisher gives up: `failures` lists every entry that was not published. */
export class PublishError extends Error {
  public readonly failures: FailedEntry[];
  public readonly publishedCount: number;

  constructor(failures: FailedEntry[], publishedCount: number) {
    const list = failures
      .map((f) => `#${f.index} ${f.detailType}: ${f.errorCode}: ${f.errorMessage} (after ${f.attempts} attempt${f.attempts === 1 ? '' : 's'})`)
      .join('; ');
    super(`Failed to publish ${failures.length} of ${failures.length + publishedCount} event(s) to EventBridge: ${list}`);
    this.name = 'PublishError';
    this.failures = failures;
    this.publishedCount = publishedCount;
  }
}

/** Thrown before anything is sent when an entry is larger than the limit. */
export class EntryTooLargeError extends Error {
  constructor(public readonly index: number, public readonly detailType: string, public readonly size: number, public readonly limit: number) {
    super(`Event #${index} (${detailType}) is ${size} bytes; the PutEvents entry limit is ${limit} bytes. `
      + 'Send a reference (for example an S3 object URL) instead of the payload.');
    this.name = 'EntryTooLargeError';
  }
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
    if (size > maxBytes) {
      throw new Error(`entry #${i} is ${size} bytes, larger than the ${maxBytes}-byte limit`);
    }
    if (current.length > 0 && (current.length >= maxEntries || currentBytes + size > maxBytes)) {
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
  }

  /** Build the PutEvents entry for an event (exported for tests and for size checks). */
  public toEntry(event: OutgoingEvent): PutEventsRequestEntry {
    const detail = JSON.stringify(event.detail ?? {});
    return {
      EventBusName: this.eventBusName,
      Source: event.source ?? this.source,
      DetailType: event.detailType,
      Detail: detail,
      ...(event.resources && event.resources.length > 0 ? { Resources: event.resources } : {}),
      ...(event.time ? { Time: event.time } : {}),
      ...(event.traceHeader ? { TraceHeader: event.traceHeader } : {}),
    };
  }

  /** Publish events; resolves when all are accepted, throws {@link PublishError} otherwise. */
  public async publish(events: readonly OutgoingEvent[]): Promise<PublishResult> {
    const eventIds: string[] = new Array(events.length).fill('');
    let pending: Pending[] = events.map((event, index) => {
      if (!event.detailType) throw new Error(`Event #${index} has an empty detailType`);
      const entry = this.toEntry(event);
      const size = entrySize(entry);
      if (size > this.maxEntryBytes) {
        throw new EntryTooLargeError(index, event.detailType, size, this.maxEntryBytes);
      }
      return { index, entry, size, attempts: 0 };
    });

    const lost: Pending[] = [];
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
          output = await this.client.send(new PutEventsCommand({ Entries: items.map((p) => p.entry) }));
        } catch (err) {
          // The whole request failed (after the SDK's own retries): every entry of the batch failed.
          const e = (err ?? {}) as ErrorLike;
          const code = typeof e.name === 'string' ? e.name : 'Error';
          const message = typeof e.message === 'string' ? e.message : String(err);
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
          p.lastErrorCode = result?.ErrorCode ?? 'MissingResult';
          p.lastErrorMessage = result?.ErrorMessage ?? (result ? 'no EventId returned' : 'PutEvents returned no result for this entry');
          (this.retryable.has(p.lastErrorCode) ? failed : lost).push(p);
        });
      }
      pending = [];
      for (const p of failed) {
        (p.attempts >= this.maxAttempts ? lost : pending).push(p);
      }
    }

    if (lost.length > 0) {
      lost.sort((a, b) => a.index - b.index);
      throw new PublishError(
        lost.map((p) => ({
          index: p.index,
          detailType: p.entry.DetailType ?? '',
          errorCode: p.lastErrorCode ?? 'Unknown',
          errorMessage: p.lastErrorMessage ?? '',
          attempts: p.attempts,
        })),
        events.length - lost.length,
      );
    }
    return { eventIds, requests };
  }
}
