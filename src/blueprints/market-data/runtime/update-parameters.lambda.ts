/**
 * Market data: turn a Kinesis batch of `MarketTick` events into trading algorithm parameters.
 *
 * Input: a Lambda Kinesis event from the processing stream, partitioned by symbol, so the ticks of one symbol
 * arrive in the order they were routed. Each record is a whole EventBridge `MarketTick` event (JSON).
 * Effect, per symbol of the batch:
 * 1. read the symbol's state from the parameters table (consistent read);
 * 2. apply, in (timestamp, sequence) order, the ticks newer than the state: VWAP over the last N ticks, EMA with
 *    period N; older ticks (late, or replayed after a retry) are ignored;
 * 3. write the state with a condition on what was read (`attribute_not_exists(symbol)`, or the same newest
 *    position): a concurrent or stale writer can never replace newer state; on a conflict the symbol is re-read
 *    and recomputed (3 attempts);
 * 4. emit `AlgorithmParametersUpdated { symbol, instrumentClass, vwap, ema, lastPrice, window, ticksInWindow, asOf,
 *    sequence }` through the shared publisher (at least once: when the batch's newest tick of a symbol is already
 *    the stored one, as after a failed publish, the stored parameters are emitted again).
 * Returns `{ batchItemFailures }` (ReportBatchItemFailures): for each symbol that failed, its first record, so
 * that Lambda retries from there; the symbols already written are then skipped by step 2.
 * A record that is not a valid tick is logged (its problems, never its payload) and skipped: retrying cannot fix
 * it, and it must not stall its shard. So is a tick dated more than MAX_TICK_CLOCK_SKEW_SECONDS (default 300) ahead
 * of the function's clock: applied, it would make every later tick of its symbol look old and freeze the symbol. A
 * stored state already dated beyond that bound (written before it existed) keeps its window and EMA, but not its
 * position: the batch's ticks apply to it again.
 *
 * Environment: PARAMETERS_TABLE_NAME (partition key `symbol` (S)), INDICATOR_WINDOW (optional, default 50),
 * MAX_TICK_CLOCK_SKEW_SECONDS (optional, default 300),
 * EVENT_BUS_NAME, EVENT_SOURCE, EVENT_MAX_ENTRY_BYTES (optional), POWERTOOLS_SERVICE_NAME (optional).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { SymbolIndicators, comparePositions } from './indicators';
import type { IndicatorState, Tick } from './indicators';
import { parseKinesisBatch, readTick } from './ticks';
import type { StreamRecord } from './ticks';
import type { EventPublisher, OutgoingEvent, PutEventsClient } from '../../../runtime/publisher';
import type { Env } from '../../runtime-shared/env';
import { numberEnv, requireEnv } from '../../runtime-shared/env';
import { blueprintHandler } from '../../runtime-shared/handler';
import { createLogger, createTracer, lazyHandler, publisherFromEnv } from '../../runtime-shared/runtime';
import { ALGORITHM_PARAMETERS_UPDATED, ENV, LIMITS } from '../contract';
import type { AlgorithmParametersUpdatedDetail } from './contract.generated';

const PARAMETERS_UPDATED = ALGORITHM_PARAMETERS_UPDATED.detailType;

/** Read-compute-write attempts per symbol when a conditional write finds that someone else wrote first. */
export const MAX_WRITE_ATTEMPTS = 3;

/** How many symbols of a batch are read, computed and written at once. */
const SYMBOL_CONCURRENCY = 8;

export interface UpdateParametersConfig {
  readonly parametersTableName: string;
  /** @default 50 */
  readonly window?: number;
  /** How far ahead of the clock a tick may be dated. @default 300 */
  readonly maxClockSkewSeconds?: number;
}

export interface UpdateParametersDeps {
  readonly dynamoDb: DynamoDBClient;
  readonly publisher: EventPublisher;
  readonly logger?: Logger;
  /** @default - no tracing */
  readonly tracer?: Tracer;
  /** The clock, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

interface BatchItemFailure {
  readonly itemIdentifier: string;
}

interface UpdateParametersResult {
  readonly batchItemFailures: BatchItemFailure[];
}

export function updateParametersConfigFromEnv(env: Env): UpdateParametersConfig {
  return {
    parametersTableName: requireEnv(env, ENV.parametersTableName),
    window: numberEnv(env, ENV.window, LIMITS.window.default, { min: LIMITS.window.min, max: LIMITS.window.max, integer: true }),
    maxClockSkewSeconds: numberEnv(env, ENV.maxClockSkewSeconds, LIMITS.maxClockSkewSeconds.default,
      { min: LIMITS.maxClockSkewSeconds.min, max: LIMITS.maxClockSkewSeconds.max, integer: true }),
  };
}

/** The parameters announced for a stored state. */
function parametersOf(state: IndicatorState): AlgorithmParametersUpdatedDetail {
  return {
    symbol: state.symbol,
    instrumentClass: state.instrumentClass,
    vwap: state.vwap,
    ema: state.ema,
    lastPrice: state.lastPrice,
    window: state.window,
    ticksInWindow: state.prices.length,
    asOf: new Date(state.lastTimeMs).toISOString(),
    sequence: state.lastSequence,
  };
}

interface SymbolBatch {
  readonly symbol: string;
  /** The first record of the symbol in the batch (where a retry must start from). */
  readonly firstSequenceNumber: string;
  readonly ticks: Tick[];
}

/** What happened to one symbol. */
type SymbolOutcome =
  | { readonly kind: 'updated' | 'replayed'; readonly symbol: string; readonly state: IndicatorState }
  | { readonly kind: 'stale'; readonly symbol: string }
  | { readonly kind: 'failed'; readonly symbol: string; readonly error: unknown };

export function createUpdateParametersHandler(config: UpdateParametersConfig, deps: UpdateParametersDeps) {
  const logger = deps.logger ?? createLogger('market-data');
  const window = config.window ?? LIMITS.window.default;
  const maxSkewMs = (config.maxClockSkewSeconds ?? LIMITS.maxClockSkewSeconds.default) * 1000;
  const now = deps.now ?? Date.now;
  const doc = DynamoDBDocumentClient.from(deps.dynamoDb, { marshallOptions: { removeUndefinedValues: true } });

  async function readState(symbol: string): Promise<IndicatorState | undefined> {
    const out = await doc.send(new GetCommand({ TableName: config.parametersTableName, Key: { symbol }, ConsistentRead: true }));
    return out.Item as IndicatorState | undefined;
  }

  async function writeState(state: IndicatorState, previous: IndicatorState | undefined): Promise<void> {
    await doc.send(new PutCommand({
      TableName: config.parametersTableName,
      Item: { ...state, updatedAt: new Date().toISOString() },
      ...(previous === undefined
        ? { ConditionExpression: 'attribute_not_exists(symbol)' }
        : {
          // Only over the state that was read: never over newer state written meanwhile.
          ConditionExpression: 'lastTimeMs = :time AND lastSequence = :sequence',
          ExpressionAttributeValues: { ':time': previous.lastTimeMs, ':sequence': previous.lastSequence },
        }),
    }));
  }

  async function processSymbol(batch: SymbolBatch): Promise<SymbolOutcome> {
    const newest = batch.ticks[batch.ticks.length - 1];
    for (let attempt = 1; ; attempt++) {
      const previous = await readState(batch.symbol);
      const fromTheFuture = previous !== undefined && previous.lastTimeMs > now() + maxSkewMs;
      if (fromTheFuture) {
        logger.warn('The stored state is dated beyond the clock-skew bound; its window is kept, the batch\'s ticks apply to it again',
          { symbol: batch.symbol, maxClockSkewSeconds: maxSkewMs / 1000 });
      }
      const indicators = SymbolIndicators.from(batch.symbol, newest.instrumentClass, window, previous, !fromTheFuture);
      let applied = 0;
      for (const tick of batch.ticks) {
        if (indicators.apply(tick)) applied += 1;
      }
      if (applied === 0) {
        // Everything is older than the stored state. If the batch's newest tick IS the stored one, this is a retry
        // (or a replay) after the state was written: announce the stored parameters again (at least once).
        const same = previous !== undefined && comparePositions(newest, { timeMs: previous.lastTimeMs, sequence: previous.lastSequence }) === 0;
        return same ? { kind: 'replayed', symbol: batch.symbol, state: previous } : { kind: 'stale', symbol: batch.symbol };
      }
      const state = indicators.toState();
      try {
        await writeState(state, previous);
        if (applied < batch.ticks.length) {
          logger.info('Ignored ticks older than the stored state', { symbol: batch.symbol, ignored: batch.ticks.length - applied });
        }
        return { kind: 'updated', symbol: batch.symbol, state };
      } catch (err) {
        const conditional = err instanceof ConditionalCheckFailedException || (err as Error | undefined)?.name === 'ConditionalCheckFailedException';
        if (!conditional || attempt >= MAX_WRITE_ATTEMPTS) throw err;
        logger.warn('The state changed while it was computed; reading it again', { symbol: batch.symbol, attempt });
      }
    }
  }

  async function processBatch(records: StreamRecord[], _context: Context): Promise<UpdateParametersResult> {
    const bySymbol = new Map<string, { firstSequenceNumber: string; ticks: Tick[] }>();
    let invalid = 0;
    let future = 0;
    const latestAccepted = now() + maxSkewMs;
    for (const record of records) {
      const read = readTick(record);
      if (!read.ok) {
        invalid += 1;
        logger.error('Skipped a record that is not a valid MarketTick (non-retryable, fix the producer)', {
          sequenceNumber: read.sequenceNumber, problems: read.problems.slice(0, 10),
        });
        continue;
      }
      if (read.tick.timeMs > latestAccepted) {
        future += 1;
        logger.error('Skipped a tick dated beyond the clock-skew bound (non-retryable: applied, it would freeze its symbol; fix the producer\'s clock)', {
          sequenceNumber: read.sequenceNumber,
          symbol: read.tick.symbol,
          maxClockSkewSeconds: maxSkewMs / 1000,
          aheadSeconds: Math.round((read.tick.timeMs - latestAccepted + maxSkewMs) / 1000),
        });
        continue;
      }
      const entry = bySymbol.get(read.tick.symbol);
      if (entry) entry.ticks.push(read.tick);
      else bySymbol.set(read.tick.symbol, { firstSequenceNumber: read.sequenceNumber, ticks: [read.tick] });
    }

    // Symbols are independent: a few at a time. A stable sort keeps ticks of the same position in stream order
    // (the later one is then ignored).
    const outcomes = await mapWithLimit([...bySymbol], SYMBOL_CONCURRENCY, async ([symbol, entry]): Promise<SymbolOutcome> => {
      const ticks = [...entry.ticks].sort(comparePositions);
      try {
        return await processSymbol({ symbol, firstSequenceNumber: entry.firstSequenceNumber, ticks });
      } catch (error) {
        return { kind: 'failed', symbol, error };
      }
    });

    const announced = outcomes.filter((o): o is Extract<SymbolOutcome, { state: IndicatorState }> => o.kind === 'updated' || o.kind === 'replayed');
    const events: OutgoingEvent<AlgorithmParametersUpdatedDetail>[] = announced.map((o) => ({
      detailType: PARAMETERS_UPDATED, detail: parametersOf(o.state),
    }));
    const failedSymbols = new Set(outcomes.filter((o) => o.kind === 'failed').map((o) => o.symbol));
    for (const o of outcomes) {
      if (o.kind === 'failed') logger.error('Could not update the parameters of a symbol; Lambda retries from its first record', { symbol: o.symbol, error: o.error as Error });
    }
    if (events.length > 0) {
      const sent = await deps.publisher.send(events);
      for (const failure of sent.unpublished) {
        failedSymbols.add(announced[failure.index].symbol);
        logger.error('Could not publish AlgorithmParametersUpdated; Lambda retries from the symbol\'s first record', {
          symbol: announced[failure.index].symbol, errorCode: failure.errorCode,
        });
      }
    }

    logger.info('Batch processed', {
      records: records.length,
      invalid,
      future,
      symbols: bySymbol.size,
      updated: outcomes.filter((o) => o.kind === 'updated').length,
      failed: failedSymbols.size,
    });
    return {
      batchItemFailures: [...failedSymbols].map((symbol) => ({ itemIdentifier: bySymbol.get(symbol)!.firstSequenceNumber })),
    };
  }

  return blueprintHandler<StreamRecord[], UpdateParametersResult>({
    what: 'Kinesis batch of MarketTick events',
    logger,
    tracer: deps.tracer,
    parse: parseKinesisBatch,
    process: processBatch,
  });
}

/** `fn` over `items` with at most `limit` calls running at once; results in the order of `items`. */
async function mapWithLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Lambda entry point: builds clients and configuration from the environment on first use. */
export const handler = lazyHandler(() => {
  const env = process.env;
  const tracer = createTracer();
  const eventBridge: PutEventsClient = tracer.captureAWSv3Client(new EventBridgeClient({}));
  return createUpdateParametersHandler(updateParametersConfigFromEnv(env), {
    dynamoDb: tracer.captureAWSv3Client(new DynamoDBClient({})),
    publisher: publisherFromEnv(env, eventBridge),
    tracer,
  });
});
