/**
 * IoT device management: find the devices that went silent and report each silence once.
 *
 * Runs on a schedule. The IoT rule's DynamoDB action keeps the latest status of every device in the last-seen table
 * (partition key `deviceId`, the whole status as the item, so each new status also clears `missedReportedAt`).
 * A device is silent when its `receivedAt` is older than HEARTBEAT_TIMEOUT_SECONDS. For each silent device not yet
 * reported, the check marks the item (conditional on the same `receivedAt` and no mark: a status that arrived
 * meanwhile, or a concurrent check, wins) and publishes `DeviceHeartbeatMissed`; when publishing fails, it removes its
 * own mark again so that the next check retries, and fails the invocation.
 *
 * Bounded work: at most LIMITS.maxScanPages scan pages per invocation, and it stops early when the invocation has
 * less than 10 seconds left. A run that stops before the end of the table leaves its position in a cursor item of the
 * same table (`deviceId` CURSOR_ID, which no device can have: `#` is not allowed in a topic name) and the next run
 * resumes there, so every device is reached however large the fleet; a run that reaches the end clears the cursor.
 * Returns `{ scanned, silent, reported, skipped, complete, resumed }`.
 *
 * Environment: LAST_SEEN_TABLE_NAME, HEARTBEAT_TIMEOUT_SECONDS, EVENT_BUS_NAME, EVENT_SOURCE.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { EventPublisher } from '../../../runtime/publisher';
import type { OutgoingEvent } from '../../../runtime/publisher';
import type { Env } from '../../runtime-shared/env';
import { numberEnv, requireEnv } from '../../runtime-shared/env';
import { blueprintHandler } from '../../runtime-shared/handler';
import { createLogger, createTracer, lazyHandler, publisherFromEnv } from '../../runtime-shared/runtime';
import { DEVICE_HEARTBEAT_MISSED, ENV, LAST_SEEN_ATTRIBUTES as A, LIMITS } from '../contract';
import type { DeviceHeartbeatMissedDetail } from './contract.generated';

export interface CheckHeartbeatsConfig {
  readonly lastSeenTableName: string;
  readonly heartbeatTimeoutSeconds: number;
  /** @default LIMITS.maxScanPages */
  readonly maxScanPages?: number;
  /** Items per scan page (DynamoDB's `Limit`). @default - as many as fit in 1 MB */
  readonly scanPageSize?: number;
}

/** The key of the scan cursor item in the last-seen table: `#` cannot occur in an MQTT topic name, so in no device id. */
export const CURSOR_ID = '#heartbeat-check-cursor';

export interface CheckHeartbeatsDeps {
  readonly dynamoDb: DynamoDBClient;
  readonly publisher: EventPublisher;
  readonly logger?: Logger;
  /** @default - no tracing */
  readonly tracer?: Tracer;
  /** @default Date.now */
  readonly now?: () => number;
}

interface CheckHeartbeatsResult {
  readonly scanned: number;
  readonly silent: number;
  readonly reported: number;
  /** Silent devices whose mark lost to a new status or a concurrent check. */
  readonly skipped: number;
  /** Whether the table was read to its end (false: page or time budget reached; the next run resumes). */
  readonly complete: boolean;
  /** Whether this run started where the last one stopped. */
  readonly resumed: boolean;
}

/** Some DeviceHeartbeatMissed events could not be published; their marks were removed for the next check. */
export class HeartbeatPublishError extends Error {
  constructor(public readonly deviceIds: string[]) {
    super(`${deviceIds.length} DeviceHeartbeatMissed event(s) could not be published; the next check retries them`);
    this.name = 'HeartbeatPublishError';
  }
}

export function checkHeartbeatsConfigFromEnv(env: Env): CheckHeartbeatsConfig {
  requireEnv(env, ENV.heartbeatTimeoutSeconds);
  return {
    lastSeenTableName: requireEnv(env, ENV.lastSeenTableName),
    heartbeatTimeoutSeconds: numberEnv(env, ENV.heartbeatTimeoutSeconds, 0, {
      min: LIMITS.heartbeatTimeoutMinutes.min * 60, max: LIMITS.heartbeatTimeoutMinutes.max * 60, integer: true,
    }),
  };
}

interface Silent {
  readonly deviceId: string;
  readonly receivedAt: number;
}

export function createCheckHeartbeatsHandler(config: CheckHeartbeatsConfig, deps: CheckHeartbeatsDeps) {
  const logger = deps.logger ?? createLogger('iot-devices');
  const now = deps.now ?? Date.now;
  const doc = DynamoDBDocumentClient.from(deps.dynamoDb);

  const run = blueprintHandler<unknown, CheckHeartbeatsResult>({
    what: 'heartbeat check',
    logger,
    tracer: deps.tracer,
    // The scheduled event carries nothing the check needs.
    parse: (event) => event,
    process: check,
  });
  return (event: unknown, context?: Context) => run(event, context as Context);

  async function check(_input: unknown, context: Context | undefined): Promise<CheckHeartbeatsResult> {
    const startedAt = now();
    const cutoff = startedAt - config.heartbeatTimeoutSeconds * 1000;
    let scanned = 0;
    let silent = 0;
    let reported = 0;
    let skipped = 0;
    let startKey = await readCursor();
    const resumed = startKey !== undefined;
    const maxPages = config.maxScanPages ?? LIMITS.maxScanPages;
    let pages = 0;
    const failed: string[] = [];
    do {
      const page = await doc.send(new ScanCommand({
        TableName: config.lastSeenTableName,
        ProjectionExpression: '#d, #r',
        FilterExpression: '#r < :cutoff AND attribute_not_exists(#m)',
        ExpressionAttributeNames: { '#d': A.deviceId, '#r': A.receivedAt, '#m': A.missedReportedAt },
        ExpressionAttributeValues: { ':cutoff': cutoff },
        ExclusiveStartKey: startKey,
        ...(config.scanPageSize !== undefined ? { Limit: config.scanPageSize } : {}),
      }));
      pages += 1;
      scanned += page.ScannedCount ?? 0;
      const devices = (page.Items ?? []).filter(isSilent);
      silent += devices.length;
      const marked: Silent[] = [];
      for (const device of devices) {
        if (await mark(device, startedAt)) marked.push(device);
        else skipped += 1;
      }
      const lost = await publish(marked, startedAt);
      reported += marked.length - lost.length;
      for (const device of lost) {
        await unmark(device, startedAt);
        failed.push(device.deviceId);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && pages < maxPages && (context?.getRemainingTimeInMillis?.() ?? Infinity) > 10_000);
    await writeCursor(startKey);

    const result = { scanned, silent, reported, skipped, complete: startKey === undefined, resumed };
    logger.info('Heartbeat check done', { ...result, cutoff: new Date(cutoff).toISOString() });
    if (failed.length > 0) {
      throw new HeartbeatPublishError(failed);
    }
    return result;
  }

  /** Where the last run stopped, if it did not reach the end of the table. */
  async function readCursor(): Promise<Record<string, unknown> | undefined> {
    const out = await doc.send(new GetCommand({ TableName: config.lastSeenTableName, Key: { [A.deviceId]: CURSOR_ID }, ConsistentRead: true }));
    const key = out.Item?.startKey;
    // Only a key of this table (its partition key, a string) is trusted as a position.
    return key !== null && typeof key === 'object' && typeof (key as Record<string, unknown>)[A.deviceId] === 'string'
      ? { [A.deviceId]: (key as Record<string, unknown>)[A.deviceId] } : undefined;
  }

  /** Leaves the position for the next run, or clears it when this run reached the end. */
  async function writeCursor(startKey: Record<string, unknown> | undefined): Promise<void> {
    await doc.send(new UpdateCommand({
      TableName: config.lastSeenTableName,
      Key: { [A.deviceId]: CURSOR_ID },
      ...(startKey === undefined
        ? { UpdateExpression: 'REMOVE startKey SET savedAt = :at', ExpressionAttributeValues: { ':at': now() } }
        : { UpdateExpression: 'SET startKey = :key, savedAt = :at', ExpressionAttributeValues: { ':key': startKey, ':at': now() } }),
    }));
  }

  /** Marks a silent device as reported, unless a newer status or another check got there first. */
  async function mark(device: Silent, at: number): Promise<boolean> {
    try {
      await doc.send(new UpdateCommand({
        TableName: config.lastSeenTableName,
        Key: { [A.deviceId]: device.deviceId },
        UpdateExpression: 'SET #m = :at',
        ConditionExpression: '#r = :seen AND attribute_not_exists(#m)',
        ExpressionAttributeNames: { '#m': A.missedReportedAt, '#r': A.receivedAt },
        ExpressionAttributeValues: { ':at': at, ':seen': device.receivedAt },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** Removes this check's mark (only its own: a newer status has already replaced the item). */
  async function unmark(device: Silent, at: number): Promise<void> {
    try {
      await doc.send(new UpdateCommand({
        TableName: config.lastSeenTableName,
        Key: { [A.deviceId]: device.deviceId },
        UpdateExpression: 'REMOVE #m',
        ConditionExpression: '#m = :at',
        ExpressionAttributeNames: { '#m': A.missedReportedAt },
        ExpressionAttributeValues: { ':at': at },
      }));
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  /** Publishes one event per device; returns the devices whose event was not published. */
  async function publish(devices: Silent[], at: number): Promise<Silent[]> {
    if (devices.length === 0) return [];
    const detectedAt = new Date(at).toISOString();
    const result = await deps.publisher.send(devices.map((d): OutgoingEvent<DeviceHeartbeatMissedDetail> => ({
      detailType: DEVICE_HEARTBEAT_MISSED.detailType,
      detail: { deviceId: d.deviceId, lastReceivedAt: d.receivedAt, detectedAt, heartbeatTimeoutSeconds: config.heartbeatTimeoutSeconds },
    })));
    for (const f of result.unpublished) {
      logger.error('DeviceHeartbeatMissed not published', { deviceId: devices[f.index].deviceId, errorCode: f.errorCode });
    }
    return result.unpublished.map((f) => devices[f.index]);
  }
}

/** An item the scan returned, with the types the check relies on (anything else is ignored, not trusted). */
function isSilent(item: Record<string, unknown>): item is Record<string, unknown> & Silent {
  return typeof item[A.deviceId] === 'string' && typeof item[A.receivedAt] === 'number' && Number.isFinite(item[A.receivedAt]);
}

function isConditionFailure(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err as Error | undefined)?.name === 'ConditionalCheckFailedException';
}

/** Lambda entry point: builds clients and configuration from the environment on first use. */
export const handler = lazyHandler(() => {
  const tracer = createTracer();
  return createCheckHeartbeatsHandler(checkHeartbeatsConfigFromEnv(process.env), {
    dynamoDb: tracer.captureAWSv3Client(new DynamoDBClient({})),
    publisher: publisherFromEnv(process.env, tracer.captureAWSv3Client(new EventBridgeClient({}))),
    tracer,
  });
});
