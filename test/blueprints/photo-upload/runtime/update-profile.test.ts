import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createUpdateProfileHandler, updateProfileConfigFromEnv } from '../../../../src/blueprints/photo-upload/runtime/update-profile.lambda';
import { photoVersion } from '../../../../src/blueprints/photo-upload/runtime/upload';
import { silentLogger } from '../../runtime-shared/silent-logger';

const doc = mockClient(DynamoDBDocumentClient);
const context = { functionName: 'profile', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const NOW = Date.UTC(2026, 10, 30, 10, 0, 5);

const input = {
  eventId: 'e-1', bucket: 'photos', key: 'uploads/u-1/beach.jpg', size: 4328, etag: '0123abcd', sequencer: '617F08299329D189', time: '2026-11-30T10:00:00Z',
};

function handler() {
  return createUpdateProfileHandler({ profileTableName: 'profiles', uploadPrefix: 'uploads/', thumbnailPrefix: 'thumbnails/' }, {
    dynamoDb: new DynamoDBClient({ region: 'eu-west-1' }), logger: silentLogger, now: () => NOW,
  });
}

/** The condition failed; DynamoDB returns the item as it is (ReturnValuesOnConditionCheckFailure: ALL_OLD). */
function conditionFailed(current: { photoVersion: string; photoKey: string }): ConditionalCheckFailedException {
  const err = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
  (err as any).Item = { userId: { S: 'u-1' }, photoVersion: { S: current.photoVersion }, photoKey: { S: current.photoKey } };
  return err;
}

beforeEach(() => doc.reset());

test('one conditional UpdateItem: the photo becomes the latest unless a newer one is there; other attributes stay', async () => {
  doc.on(UpdateCommand).resolves({});
  await expect(handler()(input, context)).resolves.toEqual({
    status: 'updated', userId: 'u-1', photoKey: 'uploads/u-1/beach.jpg', thumbnailKey: 'thumbnails/u-1/beach.jpg',
  });
  const update = doc.commandCalls(UpdateCommand)[0].args[0].input;
  expect(update).toEqual({
    TableName: 'profiles',
    Key: { userId: 'u-1' },
    UpdateExpression: 'SET photoKey = :key, thumbnailKey = :thumbnailKey, photoEtag = :etag, photoUploadedAt = :time, photoVersion = :version, photoUpdatedAt = :now',
    ConditionExpression: 'attribute_not_exists(photoVersion) OR photoVersion < :version',
    ExpressionAttributeValues: {
      ':key': 'uploads/u-1/beach.jpg',
      ':thumbnailKey': 'thumbnails/u-1/beach.jpg',
      ':etag': '0123abcd',
      ':time': '2026-11-30T10:00:00Z',
      ':version': photoVersion(input),
      ':now': '2026-11-30T10:00:05.000Z',
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
});

test('a redelivery of the same event is a duplicate: nothing changes', async () => {
  doc.on(UpdateCommand).rejects(conditionFailed({ photoVersion: photoVersion(input), photoKey: input.key }));
  await expect(handler()(input, context)).resolves.toEqual({ status: 'duplicate', userId: 'u-1' });
});

test('a late event for an older photo never overwrites the newer one', async () => {
  const newer = { ...input, key: 'uploads/u-1/sunset.jpg', time: '2026-11-30T10:05:00Z' };
  doc.on(UpdateCommand).rejects(conditionFailed({ photoVersion: photoVersion(newer), photoKey: newer.key }));
  await expect(handler()(input, context)).resolves.toEqual({ status: 'stale', userId: 'u-1', currentPhotoKey: 'uploads/u-1/sunset.jpg' });
  // The version sent is the older one: DynamoDB's condition (stored < sent) is what refused it.
  expect(doc.commandCalls(UpdateCommand)[0].args[0].input.ExpressionAttributeValues![':version'] < photoVersion(newer)).toBe(true);
});

test('a key outside the layout is rejected without a write', async () => {
  await expect(handler()({ ...input, key: 'uploads/beach.jpg' }, context))
    .resolves.toEqual({ status: 'rejected', reason: 'the key must be uploads/<userId>/<fileName> (exactly one "/" after the prefix)' });
  expect(doc.calls()).toHaveLength(0);
});

test('throttling fails the invocation so that Lambda retries', async () => {
  doc.on(UpdateCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }));
  await expect(handler()(input, context)).rejects.toThrow('Rate exceeded');
});

test('a malformed input is refused with every problem', async () => {
  await expect(handler()({ ...input, time: '30/11/2026' }, context))
    .rejects.toThrow('Invalid update-profile input (non-retryable, fix the producer): input.time must be an ISO 8601 timestamp like "2026-05-01T10:00:00Z", got a string of 10 characters');
});

test('configuration from the environment', () => {
  expect(updateProfileConfigFromEnv({ PROFILE_TABLE_NAME: 'p', UPLOAD_PREFIX: 'u/', THUMBNAIL_PREFIX: 't/' }))
    .toEqual({ profileTableName: 'p', uploadPrefix: 'u/', thumbnailPrefix: 't/' });
  expect(() => updateProfileConfigFromEnv({ UPLOAD_PREFIX: 'u/', THUMBNAIL_PREFIX: 't/' })).toThrow('Missing required environment variable PROFILE_TABLE_NAME');
});
