/**
 * The photo-upload example stack in a local AWS API (moto 5.2.1): a real object put into the uploads bucket makes
 * S3 emit its own `Object Created` event, and the rule's targets receive exactly what the offline EventRouter
 * predicts from that event; the handlers then run on what their targets received, against moto's S3 and DynamoDB.
 *
 * What moto could and could not show, and what was done about it:
 * - moto's CloudFormation ignores the bucket's `NotificationConfiguration` (it creates the bucket with encryption
 *   and tags only). The first test proves it by its effect (an object put then makes no event; the test fails the
 *   day moto learns it), then sets the very configuration the template declares with PutBucketNotificationConfiguration.
 * - moto's S3 does emit EventBridge events for a bucket with EventBridgeConfiguration, but skips the targets' input
 *   transformers, sends `time` as a number, names the ETag `eTag` and reuses one event id: photo-upload-patches/
 *   sitecustomize.py makes that event the documented one (this server only), so the targets get what they get on AWS.
 * - moto cannot run Lambda functions nor deliver from EventBridge to SNS: the rule's function and topic targets are
 *   SQS stand-in queues (sqs-stand-ins.ts) with the same target id and input transformer. The handlers are then
 *   invoked here, in-process, with the stand-ins' messages.
 * - S3's own event is captured by an extra rule (source aws.s3, no transformer) on the default bus: that is the event
 *   the router is given, so the comparison is with S3's event, not one the test wrote.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudFormationClient, CreateStackCommand, DescribeStackResourcesCommand, waitUntilStackCreateComplete } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetObjectCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { drain, fakeLambdaContext, silencePowertools } from './aws-fixtures';
import { MOTO_ACCOUNT_ID, useMoto } from './moto-server';
import { DEFAULT_STAND_IN_TYPES, prepareForMoto } from './sqs-stand-ins';
import type { MotoTemplate } from './sqs-stand-ins';
import { addPhotoUploadExample } from '../../examples/photo-upload-stack';
import { createThumbnailHandler } from '../../src/blueprints/photo-upload/runtime/create-thumbnail.lambda';
import { createUpdateProfileHandler } from '../../src/blueprints/photo-upload/runtime/update-profile.lambda';
import { EventRouter } from '../../src/testing';

silencePowertools();

const REGION = 'us-east-1';
const STACK = 'PhotoUploadExample';
const BUCKET = 'photo-upload-moto';
const fixture = (name: string) => readFileSync(path.join(__dirname, '..', 'blueprints', 'photo-upload', 'fixtures', name));

useMoto({ pythonPath: [path.join(__dirname, 'photo-upload-patches')] });
let template: Record<string, any>;
let prepared: MotoTemplate;
let router: EventRouter;
const physical: Record<string, string> = {};
const types: Record<string, string> = {};
let captureUrl: string;
let s3: S3Client;
let sqs: SQSClient;

/** Logical id of the stand-in queue of the target pointing at `logicalIdPrefix` (a function or the topic). */
function standInFor(logicalIdPrefix: string): string {
  const standIn = prepared.standIns.find((s) => s.replacedLogicalId.startsWith(logicalIdPrefix));
  if (!standIn) throw new Error(`no stand-in for ${logicalIdPrefix}`);
  return standIn.queueLogicalId;
}

/** Every message now in every queue of the stack, by queue logical id (drained). */
async function drainStackQueues(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const id of Object.keys(types).filter((t) => types[t] === 'AWS::SQS::Queue')) {
    const bodies = await drain(sqs, physical[id]);
    if (bodies.length > 0) out[id] = bodies.map((b) => JSON.parse(b));
  }
  return out;
}

/** S3's own events since the last call. */
async function capturedS3Events(): Promise<any[]> {
  return (await drain(sqs, captureUrl)).map((b) => JSON.parse(b));
}

/** What the router predicts for `events`, by the logical id of the target queue. */
function predicted(events: any[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const event of events) {
    for (const d of router.route(event)) (out[d.target.logicalId!] ??= []).push(d.input);
  }
  return out;
}

beforeAll(async () => {
  s3 = new S3Client({ forcePathStyle: true });
  sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

  const stack = addPhotoUploadExample(new App(), { uploadsBucketName: BUCKET, env: { account: MOTO_ACCOUNT_ID, region: REGION } });
  template = Template.fromStack(stack).toJSON();
  // The topic target is a stand-in too: moto's EventBridge cannot deliver to SNS.
  prepared = prepareForMoto(template, STACK, { types: [...DEFAULT_STAND_IN_TYPES, 'AWS::SNS::Topic'] });
  router = EventRouter.fromTemplate(prepared.template, { stackName: STACK, account: MOTO_ACCOUNT_ID, region: REGION });

  const cfn = new CloudFormationClient({});
  await cfn.send(new CreateStackCommand({ StackName: STACK, TemplateBody: JSON.stringify(prepared.template), Capabilities: ['CAPABILITY_IAM'] }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { StackName: STACK });
  for (const r of (await cfn.send(new DescribeStackResourcesCommand({ StackName: STACK }))).StackResources ?? []) {
    if (r.ResourceType && r.LogicalResourceId && r.PhysicalResourceId) {
      physical[r.LogicalResourceId] = r.PhysicalResourceId;
      types[r.LogicalResourceId] = r.ResourceType;
    }
  }

  // S3's own events, whole: a rule on the default bus with no input transformer.
  captureUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 's3-events-capture' }))).QueueUrl!;
  const captureArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: captureUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const events = new EventBridgeClient({});
  await events.send(new PutRuleCommand({ Name: 's3-events-capture', EventPattern: JSON.stringify({ source: ['aws.s3'] }) }));
  await events.send(new PutTargetsCommand({ Rule: 's3-events-capture', Targets: [{ Id: 'capture', Arn: captureArn }] }));
}, 300_000);

test('moto\'s CloudFormation ignores the bucket\'s EventBridge setting; the test sets the one the template declares', async () => {
  const bucketId = Object.keys(types).find((id) => types[id] === 'AWS::S3::Bucket')!;
  expect(physical[bucketId]).toBe(BUCKET);
  const declared = template.Resources[bucketId].Properties.NotificationConfiguration;
  expect(declared).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });

  // As created by moto's CloudFormation, the bucket sends nothing to EventBridge (moto's
  // GetBucketNotificationConfiguration never shows EventBridgeConfiguration, so this is checked by its effect).
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'probe/before.txt', Body: 'x' }));
  expect(await capturedS3Events()).toEqual([]);

  // The S3 API's EventBridgeConfiguration is an empty object: its presence turns the notifications on.
  await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: BUCKET, NotificationConfiguration: { EventBridgeConfiguration: {} } }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'probe/after.txt', Body: 'x' }));
  const probe = await capturedS3Events();
  expect(probe.filter((e) => e['detail-type'] === 'Object Created').map((e) => e.detail.object.key)).toEqual(['probe/after.txt']);
  // Outside the upload prefix: routed nowhere, received nowhere.
  expect(predicted(probe)).toEqual({});
  expect(await drainStackQueues()).toEqual({});
});

describe('after a real upload', () => {
  let delivered: Record<string, unknown[]>;
  let s3Events: any[];

  beforeAll(async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/u-42/beach.jpg', Body: fixture('photo.jpg'), ContentType: 'image/jpeg' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/u-42/notes.txt', Body: 'not a photo' }));
    s3Events = await capturedS3Events();
    delivered = await drainStackQueues();
  }, 120_000);

  test('S3 emitted its own Object Created event for each object', () => {
    // moto also emits "Object Tags Added" for every PutObject (S3 does not); they stay in the comparison below.
    const created = s3Events.filter((e) => e['detail-type'] === 'Object Created');
    expect(created.map((e) => [e.source, e['detail-type'], e.detail.bucket.name, e.detail.object.key])).toEqual([
      ['aws.s3', 'Object Created', BUCKET, 'uploads/u-42/beach.jpg'],
      ['aws.s3', 'Object Created', BUCKET, 'uploads/u-42/notes.txt'],
    ]);
    expect(created[0].detail.object.size).toBe(fixture('photo.jpg').length);
    expect(created[0].time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test('every queue of the stack received what the router predicts from S3\'s events: the photo, three times', () => {
    const expected = predicted(s3Events);
    expect(Object.values(expected).flat()).toHaveLength(3);
    expect(delivered).toEqual(expected);
    const photoEvent = s3Events.find((e) => e['detail-type'] === 'Object Created')!;
    expect(delivered[standInFor('PhotoUploadCreateThumbnail')]).toEqual([{
      eventId: photoEvent.id,
      bucket: BUCKET,
      key: 'uploads/u-42/beach.jpg',
      size: photoEvent.detail.object.size,
      etag: photoEvent.detail.object.etag,
      sequencer: photoEvent.detail.object.sequencer,
      time: photoEvent.time,
    }]);
    expect(delivered[standInFor('PhotoUploadNotificationTopic')]).toEqual([{
      type: 'PhotoUploaded', eventId: photoEvent.id, bucket: BUCKET, key: 'uploads/u-42/beach.jpg', size: photoEvent.detail.object.size, uploadedAt: photoEvent.time,
    }]);
  });

  test('the thumbnail function, run on what its target received, writes a real thumbnail, whose own event reaches no one', async () => {
    const [input] = delivered[standInFor('PhotoUploadCreateThumbnail')];
    const handle = createThumbnailHandler({ uploadPrefix: 'uploads/', thumbnailPrefix: 'thumbnails/' }, { s3 });
    await expect(handle(input, fakeLambdaContext())).resolves.toEqual({ status: 'created', thumbnailKey: 'thumbnails/u-42/beach.jpg', width: 256, height: 160 });
    const thumbnail = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'thumbnails/u-42/beach.jpg' }));
    expect(thumbnail.ContentType).toBe('image/jpeg');
    expect(Buffer.from(await thumbnail.Body!.transformToByteArray()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));

    // No recursion: S3 did emit the thumbnail's Object Created event, the router routes it nowhere, and no queue got it.
    const thumbnailEvents = await capturedS3Events();
    expect(thumbnailEvents.filter((e) => e['detail-type'] === 'Object Created').map((e) => e.detail.object.key)).toEqual(['thumbnails/u-42/beach.jpg']);
    expect(predicted(thumbnailEvents)).toEqual({});
    expect(await drainStackQueues()).toEqual({});
  });

  test('the profile function, run on what its target received, makes the photo the latest; a late older photo does not replace it', async () => {
    const [input] = delivered[standInFor('PhotoUploadUpdateProfile')] as any[];
    const tableName = physical[Object.keys(types).find((id) => types[id] === 'AWS::DynamoDB::Table')!];
    const dynamoDb = new DynamoDBClient({});
    const handle = createUpdateProfileHandler({ profileTableName: tableName, uploadPrefix: 'uploads/', thumbnailPrefix: 'thumbnails/' }, { dynamoDb });

    await expect(handle(input, fakeLambdaContext())).resolves.toEqual({
      status: 'updated', userId: 'u-42', photoKey: 'uploads/u-42/beach.jpg', thumbnailKey: 'thumbnails/u-42/beach.jpg',
    });
    await expect(handle(input, fakeLambdaContext())).resolves.toEqual({ status: 'duplicate', userId: 'u-42' });
    const older = { ...input, eventId: 'older', key: 'uploads/u-42/old.jpg', time: new Date(Date.parse(input.time) - 60_000).toISOString() };
    await expect(handle(older, fakeLambdaContext())).resolves.toEqual({ status: 'stale', userId: 'u-42', currentPhotoKey: 'uploads/u-42/beach.jpg' });

    const item = (await dynamoDb.send(new GetItemCommand({ TableName: tableName, Key: { userId: { S: 'u-42' } }, ConsistentRead: true }))).Item!;
    expect(item.photoKey.S).toBe('uploads/u-42/beach.jpg');
    expect(item.thumbnailKey.S).toBe('thumbnails/u-42/beach.jpg');
    expect(item.photoUploadedAt.S).toBe(input.time);
  });
});
