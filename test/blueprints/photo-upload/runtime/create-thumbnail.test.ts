import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import pngFormat from '@jimp/js-png';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createThumbnailConfigFromEnv, createThumbnailHandler, readBounded } from '../../../../src/blueprints/photo-upload/runtime/create-thumbnail.lambda';
import { InvalidEventError } from '../../../../src/blueprints/runtime-shared/validation';
import { silentLogger } from '../../runtime-shared/silent-logger';

const s3 = mockClient(S3Client);
const context = { functionName: 'thumbnail', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const fixture = (name: string) => readFileSync(path.join(__dirname, '..', 'fixtures', name));

const input = {
  eventId: 'e-1',
  bucket: 'photos',
  key: 'uploads/u-1/portrait.png',
  size: fixture('photo.png').length,
  etag: '0123abcd',
  sequencer: '00617F08299329D189',
  time: '2026-11-30T10:00:00Z',
};

function handler(overrides: Partial<Parameters<typeof createThumbnailHandler>[0]> = {}) {
  return createThumbnailHandler({ uploadPrefix: 'uploads/', thumbnailPrefix: 'thumbnails/', ...overrides }, {
    s3: new S3Client({ region: 'eu-west-1' }), logger: silentLogger,
  });
}

/** GetObject answers `bytes` in two chunks, with a Content-Length (none when null). */
function serve(bytes: Buffer, contentLength: number | null = bytes.length): void {
  const body = () => Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]);
  s3.on(GetObjectCommand).callsFake(() => ({ Body: body(), ContentLength: contentLength ?? undefined }));
}

beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
});

test('reads the photo (only the version of the event), writes a real 192 x 256 PNG thumbnail under thumbnails/', async () => {
  serve(fixture('photo.png'));
  const result = await handler()(input, context);
  expect(result).toEqual({ status: 'created', thumbnailKey: 'thumbnails/u-1/portrait.png', width: 192, height: 256 });
  expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({ Bucket: 'photos', Key: 'uploads/u-1/portrait.png', IfMatch: '"0123abcd"' });
  const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
  expect(put).toMatchObject({
    Bucket: 'photos',
    Key: 'thumbnails/u-1/portrait.png',
    ContentType: 'image/png',
    Metadata: { 'source-key': 'uploads/u-1/portrait.png', 'source-etag': '0123abcd' },
  });
  const decoded = await pngFormat().decode(put.Body as Buffer);
  expect([decoded.width, decoded.height]).toEqual([192, 256]);
});

test('a JPEG upload gets a JPEG thumbnail; the size setting applies', async () => {
  serve(fixture('photo.jpg'));
  const result = await handler({ thumbnailSize: 100 })({ ...input, key: 'uploads/u-1/beach.JPG', size: 4328, etag: '' }, context);
  expect(result).toEqual({ status: 'created', thumbnailKey: 'thumbnails/u-1/beach.JPG', width: 100, height: 63 });
  expect(s3.commandCalls(GetObjectCommand)[0].args[0].input.IfMatch).toBeUndefined();
  const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
  expect(put.ContentType).toBe('image/jpeg');
  expect((put.Body as Buffer).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  expect(put.Metadata).toEqual({ 'source-key': 'uploads/u-1/beach.JPG' });
});

test('a redelivery writes the same thumbnail again (same key, same bytes)', async () => {
  serve(fixture('photo.png'));
  const handle = handler();
  await handle(input, context);
  await handle(input, context);
  const [first, second] = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
  expect(second.Key).toBe(first.Key);
  expect(Buffer.compare(second.Body as Buffer, first.Body as Buffer)).toBe(0);
});

describe('nothing is written, nothing retried', () => {
  test.each([
    ['a key outside the layout', { key: 'uploads/u-1/sub/x.png' }, 'the key must be uploads/<userId>/<fileName> (exactly one "/" after the prefix)'],
    ['an upload larger than the limit (the event says so)', { size: 2_000_000 }, 'the object has 2000000 bytes; at most 1000000 are read'],
  ])('%s is rejected without reading S3', async (_what, change, reason) => {
    await expect(handler({ maxImageBytes: 1_000_000 })({ ...input, ...change }, context)).resolves.toEqual({ status: 'rejected', reason });
    expect(s3.calls()).toHaveLength(0);
  });

  test('an object larger than the limit (Content-Length) is rejected before its body is read', async () => {
    serve(fixture('photo.png'), 5_000_000);
    await expect(handler({ maxImageBytes: 1_000_000 })(input, context))
      .resolves.toEqual({ status: 'rejected', reason: 'the object has 5000000 bytes; at most 1000000 are read' });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('a body longer than announced is cut off at the limit', async () => {
    serve(fixture('photo.png'), null);
    await expect(handler({ maxImageBytes: 20_000 })({ ...input, size: 100 }, context))
      .resolves.toEqual({ status: 'rejected', reason: 'the object has more than 20000 bytes; at most 20000 are read' });
  });

  test('a decompression bomb is rejected from its header', async () => {
    const bomb = Buffer.from(fixture('tiny.png'));
    bomb.writeUInt32BE(30_000, 16);
    bomb.writeUInt32BE(30_000, 20);
    serve(bomb);
    await expect(handler()({ ...input, size: bomb.length }, context))
      .resolves.toEqual({ status: 'rejected', reason: 'the image is 30000 x 30000 pixels; at most 20000 pixels per edge are decoded' });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('an object overwritten since the event (If-Match fails) is superseded', async () => {
    s3.on(GetObjectCommand).rejects(new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', $metadata: { httpStatusCode: 412 } }));
    await expect(handler()(input, context)).resolves.toEqual({ status: 'superseded' });
  });

  test('an object deleted since the event is missing', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'gone', $metadata: {} }));
    await expect(handler()(input, context)).resolves.toEqual({ status: 'missing' });
  });
});

test('an S3 outage fails the invocation (Lambda retries, then the on-failure queue)', async () => {
  s3.on(GetObjectCommand).rejects(new S3ServiceException({ name: 'SlowDown', message: 'Please reduce your request rate.', $fault: 'server', $metadata: { httpStatusCode: 503 } }));
  await expect(handler()(input, context)).rejects.toThrow('Please reduce your request rate.');
});

test('a malformed input is a non-retryable InvalidEventError', async () => {
  await expect(handler()({ ...input, size: 'big' }, context)).rejects.toThrow(InvalidEventError);
  await expect(handler()({ ...input, size: 'big' }, context)).rejects.toThrow('Invalid create-thumbnail input (non-retryable, fix the producer): input.size must be integer, got a string of 3 characters');
});

test('readBounded stops at the limit', async () => {
  await expect(readBounded(Readable.from([Buffer.alloc(6), Buffer.alloc(6)]), 10)).rejects.toThrow('more than 10 bytes');
  await expect(readBounded(Readable.from([Buffer.alloc(6), Buffer.alloc(4)]), 10)).resolves.toHaveLength(10);
  await expect(readBounded(undefined, 10)).resolves.toHaveLength(0);
});

describe('configuration from the environment', () => {
  test('defaults', () => {
    expect(createThumbnailConfigFromEnv({ UPLOAD_PREFIX: 'uploads/', THUMBNAIL_PREFIX: 'thumbnails/' }))
      .toEqual({ uploadPrefix: 'uploads/', thumbnailPrefix: 'thumbnails/', thumbnailSize: 256, maxImageBytes: 15 * 1024 * 1024, maxImagePixels: 24_000_000 });
  });

  test('throws on a bad value, naming the variable', () => {
    expect(() => createThumbnailConfigFromEnv({ UPLOAD_PREFIX: 'u/', THUMBNAIL_PREFIX: 't/', THUMBNAIL_SIZE: '8' }))
      .toThrow("Environment variable THUMBNAIL_SIZE must be an integer between 16 and 2048, got '8'");
    expect(() => createThumbnailConfigFromEnv({ THUMBNAIL_PREFIX: 't/' })).toThrow('Missing required environment variable UPLOAD_PREFIX');
  });
});
