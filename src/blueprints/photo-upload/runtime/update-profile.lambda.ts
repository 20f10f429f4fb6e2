/**
 * Photo upload: make an uploaded photo the user's latest photo in the profile table.
 *
 * Input (the rule's input transformer): `{ eventId, bucket, key, size, etag, sequencer, time }` of an S3
 * `Object Created` event under the upload prefix; the key is `<UPLOAD_PREFIX><userId>/<fileName>`.
 * Effect: one conditional `UpdateItem` on the profile item `{ userId }`: sets `photoKey`, `thumbnailKey`,
 * `photoEtag`, `photoUploadedAt`, `photoVersion` and `photoUpdatedAt`, leaving the item's other attributes alone,
 * **only if** the photo is newer than the one stored (`photoVersion`: the upload time, then S3's sequencer, then the
 * key; see upload.ts). Returns `{ status: 'updated', userId, photoKey, thumbnailKey }`, `{ status: 'duplicate' }`
 * (this very event was applied before: a redelivery), `{ status: 'stale' }` (a newer photo is already there: a late
 * or out-of-order event never overwrites it) or `{ status: 'rejected', reason }` (the key does not follow the layout).
 *
 * Idempotent without an idempotency table: the condition makes a redelivery a no-op, whenever it comes.
 *
 * Environment: PROFILE_TABLE_NAME (partition key `userId`, String), UPLOAD_PREFIX, THUMBNAIL_PREFIX.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ENV } from '../contract';
import { parseUploadInput, parseUploadKey, photoVersion, thumbnailKeyOf } from './upload';
import type { UploadInput } from './upload';
import type { Env } from '../../runtime-shared/env';
import { requireEnv } from '../../runtime-shared/env';
import { blueprintHandler } from '../../runtime-shared/handler';
import { createLogger, createTracer, lazyHandler } from '../../runtime-shared/runtime';

type UpdateProfileResult =
  | { status: 'updated'; userId: string; photoKey: string; thumbnailKey: string }
  | { status: 'duplicate'; userId: string }
  | { status: 'stale'; userId: string; currentPhotoKey?: string }
  | { status: 'rejected'; reason: string };

export interface UpdateProfileConfig {
  readonly profileTableName: string;
  readonly uploadPrefix: string;
  readonly thumbnailPrefix: string;
}

export interface UpdateProfileDeps {
  readonly dynamoDb: DynamoDBClient;
  readonly logger?: Logger;
  /** @default - no tracing */
  readonly tracer?: Tracer;
  /** @default Date.now */
  readonly now?: () => number;
}

export function updateProfileConfigFromEnv(env: Env): UpdateProfileConfig {
  return {
    profileTableName: requireEnv(env, ENV.profileTableName),
    uploadPrefix: requireEnv(env, ENV.uploadPrefix),
    thumbnailPrefix: requireEnv(env, ENV.thumbnailPrefix),
  };
}

export function createUpdateProfileHandler(config: UpdateProfileConfig, deps: UpdateProfileDeps) {
  const logger = deps.logger ?? createLogger('photo-upload');
  const now = deps.now ?? Date.now;
  const doc = DynamoDBDocumentClient.from(deps.dynamoDb, { marshallOptions: { removeUndefinedValues: true } });

  async function process(input: UploadInput): Promise<UpdateProfileResult> {
    const upload = parseUploadKey(input.key, config.uploadPrefix);
    if ('problem' in upload) {
      logger.warn('Upload refused; profile unchanged', { reason: upload.problem });
      return { status: 'rejected', reason: upload.problem };
    }
    const version = photoVersion(input);
    const thumbnailKey = thumbnailKeyOf(upload, config.thumbnailPrefix);
    try {
      await doc.send(new UpdateCommand({
        TableName: config.profileTableName,
        Key: { userId: upload.userId },
        UpdateExpression: 'SET photoKey = :key, thumbnailKey = :thumbnailKey, photoEtag = :etag, '
          + 'photoUploadedAt = :time, photoVersion = :version, photoUpdatedAt = :now',
        ConditionExpression: 'attribute_not_exists(photoVersion) OR photoVersion < :version',
        ExpressionAttributeValues: {
          ':key': input.key,
          ':thumbnailKey': thumbnailKey,
          ':etag': input.etag,
          ':time': input.time,
          ':version': version,
          ':now': new Date(now()).toISOString(),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException) && (err as Error | undefined)?.name !== 'ConditionalCheckFailedException') throw err;
      const current = (err as { Item?: Record<string, { S?: string }> }).Item;
      if (current?.photoVersion?.S === version) {
        logger.info('This upload was applied before (redelivery); profile unchanged', { userId: upload.userId });
        return { status: 'duplicate', userId: upload.userId };
      }
      logger.info('A newer photo is already the latest; profile unchanged', { userId: upload.userId, currentPhotoKey: current?.photoKey?.S });
      return { status: 'stale', userId: upload.userId, currentPhotoKey: current?.photoKey?.S };
    }
    logger.info('Profile photo updated', { userId: upload.userId, thumbnailKey });
    return { status: 'updated', userId: upload.userId, photoKey: input.key, thumbnailKey };
  }

  return blueprintHandler<UploadInput, UpdateProfileResult>({
    what: 'update-profile input',
    logger,
    tracer: deps.tracer,
    parse: (event) => parseUploadInput(event, 'update-profile input'),
    logKeys: (input) => ({ key: input.key.slice(0, 256), eventId: input.eventId }),
    process,
  });
}

/** Lambda entry point: builds the client and configuration from the environment on first use. */
export const handler = lazyHandler(() => {
  const tracer = createTracer();
  return createUpdateProfileHandler(updateProfileConfigFromEnv(process.env), {
    dynamoDb: tracer.captureAWSv3Client(new DynamoDBClient({})),
    tracer,
  });
});
