/**
 * Reading the consumer's input: a Lambda Kinesis batch whose records are the `MarketTick` events the routing rule
 * put on the processing stream (the whole EventBridge event, JSON, base64-encoded by Kinesis).
 */
import type { Tick } from './indicators';
import { isObject, nullAsAbsent, schemaProblems, show, validateAgainstSchema } from '../../runtime-shared/validation';
import { MARKET_TICK } from '../contract';
import type { MarketTickDetail } from './contract.generated';

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

/** The part of Lambda's Kinesis event the consumer reads. */
const KINESIS_BATCH_SCHEMA = {
  type: 'object',
  required: ['Records'],
  properties: {
    Records: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        required: ['kinesis'],
        properties: {
          kinesis: {
            type: 'object',
            required: ['sequenceNumber', 'data'],
            properties: { sequenceNumber: { type: 'string', minLength: 1 }, data: { type: 'string' } },
          },
        },
      },
    },
  },
};

interface KinesisBatch {
  readonly Records: Array<{ readonly kinesis: StreamRecord }>;
}

/**
 * The records of a Lambda Kinesis event, in stream order.
 * @throws InvalidEventError when the event is not a Kinesis batch at all
 */
export function parseKinesisBatch(event: unknown): StreamRecord[] {
  const batch = validateAgainstSchema<KinesisBatch>(KINESIS_BATCH_SCHEMA, event, 'Kinesis batch', 'event');
  return batch.Records.map(({ kinesis }) => ({ sequenceNumber: kinesis.sequenceNumber, data: kinesis.data }));
}

/** Decodes and validates one record: a `MarketTick` event whose detail keeps the contract. Never throws. */
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
  if (!isObject(event)) return fail(`record must be an object, got ${show(event)}`);
  if (event['detail-type'] !== MARKET_TICK.detailType) {
    return fail(`detail-type must be ${MARKET_TICK.detailType}, got ${show(event['detail-type'])}`);
  }
  if (!isObject(event.detail)) return fail(`detail must be an object, got ${show(event.detail)}`);
  // A null sequence means absent (0).
  const raw = nullAsAbsent(event.detail, ['sequence']);
  const problems = schemaProblems(MARKET_TICK.detailSchema, raw, 'detail');
  if (problems.length > 0) return fail(...problems);
  const detail = raw as unknown as MarketTickDetail;
  return {
    ok: true,
    sequenceNumber: record.sequenceNumber,
    tick: {
      symbol: detail.symbol,
      instrumentClass: detail.instrumentClass,
      price: detail.price,
      size: detail.size,
      timeMs: Date.parse(detail.timestamp),
      sequence: detail.sequence ?? 0,
    },
  };
}
