/**
 * Runtime plumbing shared by the blueprint handlers: the logger, the publisher built from the
 * environment, the Powertools idempotency store, and lazy handler construction.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Env } from './env';
import { requireEnv } from './env';
import { EventPublisher, parseMaxEntryBytes } from '../../runtime/publisher';
import type { EventPublisherOptions, PutEventsClient } from '../../runtime/publisher';

export function createLogger(serviceName: string): Logger {
  // POWERTOOLS_SERVICE_NAME, when set, wins over the default given here.
  return new Logger({ serviceName });
}

/** The Powertools Tracer (service name from POWERTOOLS_SERVICE_NAME); it does nothing outside Lambda. */
export function createTracer(): Tracer {
  return new Tracer();
}

/** An {@link EventPublisher} configured from EVENT_BUS_NAME, EVENT_SOURCE and EVENT_MAX_ENTRY_BYTES. */
export function publisherFromEnv(env: Env, client: PutEventsClient, overrides: Partial<EventPublisherOptions> = {}): EventPublisher {
  return new EventPublisher({
    client,
    eventBusName: requireEnv(env, 'EVENT_BUS_NAME'),
    source: requireEnv(env, 'EVENT_SOURCE'),
    maxEntryBytes: parseMaxEntryBytes(env.EVENT_MAX_ENTRY_BYTES),
    ...overrides,
  });
}

/** Powertools idempotency store on a DynamoDB table with partition key `id` (S) and TTL attribute `expiration`. */
export function idempotencyStore(tableName: string, client: DynamoDBClient): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
}

/**
 * Build a handler on first use (not at import time, so the environment and SDK endpoint settings read are
 * the ones in effect when the function runs), then reuse it for the life of the execution environment.
 */
export function lazyHandler<E, C, R>(build: () => (event: E, context: C) => Promise<R>): (event: E, context: C) => Promise<R> {
  let built: ((event: E, context: C) => Promise<R>) | undefined;
  return (event, context) => {
    built ??= build();
    return built(event, context);
  };
}
