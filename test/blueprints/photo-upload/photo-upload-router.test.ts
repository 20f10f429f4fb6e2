/**
 * Which consumer gets which input, for S3's own events, routed offline through the synthesized template with the
 * library's EventRouter. The events have the shape S3 sends to EventBridge
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html).
 */
import { App, Stack } from 'aws-cdk-lib';
import { PhotoUpload } from '../../../src/blueprints/photo-upload';
import { EventRouter } from '../../../src/testing';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const BUCKET = 'example-photos';

/** An S3 `Object Created` event as S3 sends it to the default bus. */
function objectCreated(key: string, overrides: { bucket?: string; size?: number; detailType?: string; reason?: string } = {}) {
  return {
    'version': '0',
    'id': '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': overrides.detailType ?? 'Object Created',
    'source': 'aws.s3',
    'account': ACCOUNT,
    'time': '2026-11-30T10:00:00Z',
    'region': REGION,
    'resources': [`arn:aws:s3:::${overrides.bucket ?? BUCKET}`],
    'detail': {
      'version': '0',
      'bucket': { name: overrides.bucket ?? BUCKET },
      'object': { 'key': key, 'size': overrides.size ?? 48213, 'etag': 'b1946ac92492d2347c6235b4d2611184', 'version-id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e', 'sequencer': '617F08299329D189' },
      'request-id': 'N4N7GDK58NMKJ12R',
      'requester': '123456789012',
      'source-ip-address': '1.2.3.4',
      'reason': overrides.reason ?? 'PutObject',
    },
  };
}

let stack: Stack;
let blueprint: PhotoUpload;
let router: EventRouter;
beforeAll(() => {
  stack = new Stack(new App(), 'Photos', { env: { account: ACCOUNT, region: REGION } });
  blueprint = new PhotoUpload(stack, 'PhotoUpload', { uploadsBucketName: BUCKET });
  router = EventRouter.fromStack(stack);
});

const logicalId = (construct: { node: { defaultChild?: unknown } } | undefined) => stack.getLogicalId(construct!.node.defaultChild as any);

test('an uploaded photo reaches the thumbnail function, the profile function and the notification topic, each with its input', () => {
  const deliveries = router.route(objectCreated('uploads/u-42/beach.jpg'));
  const upload = {
    eventId: '17793124-05d4-b198-2fde-7ededc63b103',
    bucket: BUCKET,
    key: 'uploads/u-42/beach.jpg',
    size: 48213,
    etag: 'b1946ac92492d2347c6235b4d2611184',
    sequencer: '617F08299329D189',
    time: '2026-11-30T10:00:00Z',
  };
  expect(deliveries.map((d) => [d.target.logicalId, d.input])).toEqual([
    [logicalId(blueprint.thumbnailFunction.function), upload],
    [logicalId(blueprint.profileFunction.function), upload],
    [logicalId(blueprint.notificationTopic), {
      type: 'PhotoUploaded',
      eventId: upload.eventId,
      bucket: BUCKET,
      key: 'uploads/u-42/beach.jpg',
      size: 48213,
      uploadedAt: '2026-11-30T10:00:00Z',
    }],
  ]);
  for (const d of deliveries) {
    expect(d.rule.eventBusName).toBe('default');
    expect(d.target.deadLetterQueue?.logicalId).toBe(logicalId(blueprint.route.deadLetterQueue));
  }
});

test('no recursion: the thumbnail\'s own Object Created event (same bucket, thumbnails/) reaches no one', () => {
  expect(router.route(objectCreated('thumbnails/u-42/beach.jpg'))).toEqual([]);
});

test.each([
  ['a PNG', 'uploads/u-42/portrait.png', 3],
  ['an upper-case extension', 'uploads/u-42/IMG_0001.JPEG', 3],
  ['a deeper key (routed; the functions refuse the layout)', 'uploads/u-42/2026/beach.jpg', 3],
  ['a GIF', 'uploads/u-42/anim.gif', 0],
  ['a mixed-case extension (wildcards are case-sensitive)', 'uploads/u-42/beach.Jpg', 0],
  ['a file without extension', 'uploads/u-42/beach', 0],
  ['another prefix', 'incoming/u-42/beach.jpg', 0],
  ['the prefix further down the key', 'other/uploads/u-42/beach.jpg', 0],
])('%s: %s gets %i deliveries', (_what, key, count) => {
  expect(router.route(objectCreated(key))).toHaveLength(count);
});

test.each([
  ['another bucket', { bucket: 'other-bucket' }],
  ['an empty object', { size: 0 }],
  ['an object over the 15 MiB limit', { size: 15 * 1024 * 1024 + 1 }],
  ['Object Deleted', { detailType: 'Object Deleted', reason: 'DeleteObject' }],
])('%s reaches no one', (_what, overrides) => {
  expect(router.route(objectCreated('uploads/u-42/beach.jpg', overrides))).toEqual([]);
});

test('an object of exactly 15 MiB is routed', () => {
  expect(router.route(objectCreated('uploads/u-42/beach.jpg', { size: 15 * 1024 * 1024 }))).toHaveLength(3);
});

test('a copy and a multipart upload are Object Created too', () => {
  expect(router.route(objectCreated('uploads/u-42/a.png', { reason: 'CopyObject' }))).toHaveLength(3);
  expect(router.route(objectCreated('uploads/u-42/b.png', { reason: 'CompleteMultipartUpload' }))).toHaveLength(3);
});

test('a missing etag (not in every event) reaches the functions as an empty value', () => {
  const event = objectCreated('uploads/u-42/beach.jpg');
  delete (event.detail.object as Record<string, unknown>).etag;
  const [thumbnail] = router.route(event);
  expect(thumbnail.input.etag).toBe('');
});
