/**
 * The one handler wrapper of the blueprint functions:
 *
 * - parse the input or reject it with a typed {@link InvalidEventError} (logged with its problems, never retried
 *   usefully: it says "non-retryable, fix the producer");
 * - the Lambda context in every log line (Powertools Logger), a Powertools Tracer subsegment per invocation with
 *   the cold start and service annotated and errors recorded;
 * - optionally Powertools idempotency keyed on a JMESPath of the parsed input WITH payload validation: the same key
 *   with a different payload (an `orderId` reused for other items) is refused with a
 *   {@link ConflictingPayloadError} instead of silently getting the first payload's answer.
 */
import { IdempotencyConfig, IdempotencyValidationError, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { InvalidEventError } from './validation';

/** The same idempotency key arrived with a different payload: a producer reused an id. Not retryable. */
export class ConflictingPayloadError extends Error {
  public readonly retryable = false;
  constructor(what: string, key: string) {
    super(`${what} ${key} was already processed with a different payload (non-retryable, fix the producer: ids must not be reused)`);
    this.name = 'ConflictingPayloadError';
  }
}

export interface IdempotencyOptions<I> {
  readonly persistenceStore: BasePersistenceLayer;
  /** JMESPath of the key in the parsed input, e.g. `orderId`. */
  readonly keyPath: string;
  /** The key, for error messages. */
  readonly keyOf: (input: I) => string;
  /** @default 24 hours (EventBridge retries for up to 24 hours) */
  readonly expiresAfterSeconds?: number;
}

export interface HandlerOptions<I, R> {
  /** What the input is, for messages: `OrderPlaced event`. */
  readonly what: string;
  readonly logger: Logger;
  /** @default - no tracing */
  readonly tracer?: Tracer;
  /** Parse or throw an {@link InvalidEventError}. */
  readonly parse: (event: unknown) => I;
  /** Keys added to every log line of the invocation. @default - none */
  readonly logKeys?: (input: I) => Record<string, string>;
  /** @default - not idempotent */
  readonly idempotency?: IdempotencyOptions<I>;
  readonly process: (input: I, context: Context) => Promise<R>;
}

/** A handler built from {@link HandlerOptions}: `(event, context) => Promise<result>`. */
export function blueprintHandler<I, R>(options: HandlerOptions<I, R>): (event: unknown, context: Context) => Promise<R> {
  const { logger, tracer } = options;
  let config: IdempotencyConfig | undefined;
  let run: (input: I, context: Context) => Promise<R> = options.process;
  if (options.idempotency) {
    config = new IdempotencyConfig({
      eventKeyJmesPath: options.idempotency.keyPath,
      // The whole parsed input: the same key with another payload is a conflict, not a duplicate.
      payloadValidationJmesPath: '@',
      throwOnNoIdempotencyKey: true,
      expiresAfterSeconds: options.idempotency.expiresAfterSeconds ?? 24 * 3600,
    });
    run = makeIdempotent(options.process, { persistenceStore: options.idempotency.persistenceStore, config });
  }

  async function invoke(event: unknown, context: Context): Promise<R> {
    let input: I;
    try {
      input = options.parse(event);
    } catch (err) {
      if (err instanceof InvalidEventError) logger.error(`Rejected malformed ${options.what}`, { problems: err.problems });
      throw err;
    }
    const keys = options.logKeys?.(input) ?? {};
    logger.appendKeys(keys);
    try {
      config?.registerLambdaContext(context);
      return await run(input, context);
    } catch (err) {
      if (err instanceof IdempotencyValidationError && options.idempotency) {
        const conflict = new ConflictingPayloadError(options.what, options.idempotency.keyOf(input));
        logger.error(conflict.message);
        throw conflict;
      }
      throw err;
    } finally {
      logger.removeKeys(Object.keys(keys));
    }
  }

  return async (event, context) => {
    if (context) logger.addContext(context);
    const segment = tracer?.isTracingEnabled() ? tracer.getSegment() : undefined;
    if (!tracer || !segment) {
      return invoke(event, context);
    }
    const subsegment = segment.addNewSubsegment(`## ${options.what}`);
    tracer.setSegment(subsegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    try {
      return await invoke(event, context);
    } catch (err) {
      tracer.addErrorAsMetadata(err as Error);
      throw err;
    } finally {
      subsegment.close();
      tracer.setSegment(segment);
    }
  };
}
