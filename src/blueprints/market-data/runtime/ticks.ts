/**
 * Reading the consumer's input: a Lambda Kinesis batch whose records are the `MarketTick` events the routing rule
 * put on the processing stream (the whole EventBridge event, JSON, base64-encoded by Kinesis).
 */
import type { Tick } from './indicators';
import { Checker, isObject, show } from '../../runtime-shared/validation';
import { INSTRUMENT_CLASS_PATTERN, LIMITS, MARKET_TICK, SYMBOL_PATTERN } from '../contract';

const SYMBOL = new RegExp(SYMBOL_PATTERN);
const INSTRUMENT_CLASS = new RegExp(INSTRUMENT_CLASS_PATTERN);
/** A Kinesis record holds at most 1 MiB; base64 makes it 4/3 as long. */
const MAX_DATA_CHARS = Math.ceil((1024 * 1024 * 4) / 3) + 4;

/** One record of the batch, as Lambda gives it. */
export interface StreamRecord {
  /** The Kinesis sequence number: the record's identifier in `batchItemFailures`. */
  readonly sequenceNumber: string;
  readonly data: string;
}

/** A record that could be read, or why not. */
export type ReadRecord =
  | { readonly ok: true; readonly sequenceNumber: string; readonly tick: Tick }
  | { readonly ok: false; readonly sequenceNumber: string; readonly problems: string[] };

/**
 * The records of a Lambda Kinesis event, in stream order.
 * @throws InvalidEventError when the event is not a Kinesis batch at all
 */
export function parseKinesisBatch(event: unknown): StreamRecord[] {
  const check = new Checker();
  const envelope = check.object(event, 'event');
  const records = envelope ? check.array(envelope.Records, 'event.Records', 0, 10_000) : undefined;
  check.done('Kinesis batch');
  const out: StreamRecord[] = [];
  records!.forEach((record, i) => {
    const kinesis = isObject(record) ? record.kinesis : undefined;
    if (!isObject(kinesis) || typeof kinesis.sequenceNumber !== 'string' || typeof kinesis.data !== 'string') {
      check.problem(`event.Records[${i}] must have kinesis.sequenceNumber and kinesis.data strings`);
      return;
    }
    out.push({ sequenceNumber: kinesis.sequenceNumber, data: kinesis.data });
  });
  check.done('Kinesis batch');
  return out;
}

/** Decodes and validates one record: a `MarketTick` event with a valid detail. Never throws. */
export function readTick(record: StreamRecord): ReadRecord {
  const fail = (...problems: string[]): ReadRecord => ({ ok: false, sequenceNumber: record.sequenceNumber, problems });
  if (record.data.length > MAX_DATA_CHARS) {
    return fail(`data is larger than a Kinesis record can be (${record.data.length} base64 characters)`);
  }
  let event: unknown;
  try {
    event = JSON.parse(Buffer.from(record.data, 'base64').toString('utf8'));
  } catch {
    return fail('data is not JSON');
  }
  const check = new Checker();
  const envelope = check.object(event, 'record');
  if (!envelope) {
    return fail(...check.problems);
  }
  if (envelope['detail-type'] !== MARKET_TICK.detailType) {
    return fail(`detail-type must be ${MARKET_TICK.detailType}, got ${show(envelope['detail-type'])}`);
  }
  const detail = check.object(envelope.detail, 'detail');
  if (!detail) {
    return fail(...check.problems);
  }
  const symbol = check.string(detail.symbol, 'detail.symbol', {
    maxLength: LIMITS.maxSymbolLength, pattern: SYMBOL, patternText: 'a ticker symbol (letters, digits, ".", "/", ":", "_", "-")',
  });
  const instrumentClass = check.string(detail.instrumentClass, 'detail.instrumentClass', {
    maxLength: 32, pattern: INSTRUMENT_CLASS, patternText: 'a lower-case instrument class like "equity"',
  });
  const price = positive(check, detail.price, 'detail.price');
  const size = positive(check, detail.size, 'detail.size');
  const timestamp = check.isoTimestamp(detail.timestamp, 'detail.timestamp');
  let sequence = 0;
  if (detail.sequence !== undefined && detail.sequence !== null) {
    if (typeof detail.sequence !== 'number' || !Number.isSafeInteger(detail.sequence) || detail.sequence < 0) {
      check.problem(`detail.sequence must be a whole number of 0 or more, got ${show(detail.sequence)}`);
    } else {
      sequence = detail.sequence;
    }
  }
  if (check.problems.length > 0) {
    return fail(...check.problems);
  }
  return {
    ok: true,
    sequenceNumber: record.sequenceNumber,
    tick: { symbol: symbol!, instrumentClass: instrumentClass!, price: price!, size: size!, timeMs: Date.parse(timestamp!), sequence },
  };
}

function positive(check: Checker, value: unknown, path: string): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > LIMITS.maxValue) {
    check.problem(`${path} must be a number above 0 and at most ${LIMITS.maxValue}, got ${show(value)}`);
    return undefined;
  }
  return value;
}
