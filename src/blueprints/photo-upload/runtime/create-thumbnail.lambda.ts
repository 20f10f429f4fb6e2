/**
 * Photo upload: write the thumbnail of an uploaded photo.
 *
 * Input (the rule's input transformer): `{ eventId, bucket, key, size, etag, sequencer, time }` of an S3
 * `Object Created` event under the upload prefix.
 * Effect: reads the photo (at most MAX_IMAGE_BYTES, only the version the event is about: `If-Match` on its ETag),
 * checks its header (JPEG or PNG as the extension says, at most MAX_IMAGE_PIXELS), decodes and scales it to fit
 * THUMBNAIL_SIZE x THUMBNAIL_SIZE, and writes it to `<THUMBNAIL_PREFIX><userId>/<fileName>` in the same bucket.
 * Returns `{ status: 'created', thumbnailKey, width, height }`, or without writing anything:
 * `{ status: 'rejected', reason }` (the key or the image is refused: nothing to retry, a warning is logged),
 * `{ status: 'superseded' }` (the object was overwritten since: the newer upload has its own event) or
 * `{ status: 'missing' }` (the object was deleted since).
 *
 * Idempotent: the thumbnail's key and content depend only on the photo, so a redelivery writes the same object again.
 * No recursion: the thumbnail prefix is outside the upload prefix (checked at synth), so the rule never matches the
 * thumbnail's own `Object Created` event; and the function may only write under the thumbnail prefix.
 *
 * Environment: UPLOAD_PREFIX, THUMBNAIL_PREFIX, THUMBNAIL_SIZE, MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS (see contract.ts).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ENV, LIMITS } from '../contract';
import { RejectedImageError, makeThumbnail } from './image';
import { parseUploadInput, parseUploadKey, thumbnailKeyOf } from './upload';
import type { UploadInput } from './upload';
import type { Env } from '../../runtime-shared/env';
import { numberEnv, requireEnv } from '../../runtime-shared/env';
import { blueprintHandler } from '../../runtime-shared/handler';
import { createLogger, createTracer, lazyHandler } from '../../runtime-shared/runtime';

type CreateThumbnailResult =
  | { status: 'created'; thumbnailKey: string; width: number; height: number }
  | { status: 'rejected'; reason: string }
  | { status: 'superseded' }
  | { status: 'missing' };

export interface CreateThumbnailConfig {
  readonly uploadPrefix: string;
  readonly thumbnailPrefix: string;
  /** @default 256 */
  readonly thumbnailSize?: number;
  /** @default 15 MiB */
  readonly maxImageBytes?: number;
  /** @default 24,000,000 */
  readonly maxImagePixels?: number;
}

export interface CreateThumbnailDeps {
  readonly s3: S3Client;
  readonly logger?: Logger;
  /** @default - no tracing */
  readonly tracer?: Tracer;
}

export function createThumbnailConfigFromEnv(env: Env): CreateThumbnailConfig {
  return {
    uploadPrefix: requireEnv(env, ENV.uploadPrefix),
    thumbnailPrefix: requireEnv(env, ENV.thumbnailPrefix),
    thumbnailSize: numberEnv(env, ENV.thumbnailSize, LIMITS.thumbnailSize.default, { ...LIMITS.thumbnailSize, integer: true }),
    maxImageBytes: numberEnv(env, ENV.maxImageBytes, LIMITS.maxImageBytes.default, { ...LIMITS.maxImageBytes, integer: true }),
    maxImagePixels: numberEnv(env, ENV.maxImagePixels, LIMITS.maxImagePixels.default, { ...LIMITS.maxImagePixels, integer: true }),
  };
}

/** More bytes than allowed arrived: the object is not what the event said. */
class TooLargeError extends Error {}

/** Reads a body into memory, refusing more than `maxBytes` (whatever Content-Length said). */
export async function readBounded(body: AsyncIterable<Uint8Array> | undefined, maxBytes: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      (body as { destroy?: () => void }).destroy?.();
      throw new TooLargeError(`more than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

function errorName(err: unknown): string {
  return (err as { name?: string } | undefined)?.name ?? '';
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

export function createThumbnailHandler(config: CreateThumbnailConfig, deps: CreateThumbnailDeps) {
  const logger = deps.logger ?? createLogger('photo-upload');
  const limits = {
    size: config.thumbnailSize ?? LIMITS.thumbnailSize.default,
    maxPixels: config.maxImagePixels ?? LIMITS.maxImagePixels.default,
    maxEdge: LIMITS.maxImageEdge,
  };
  const maxBytes = config.maxImageBytes ?? LIMITS.maxImageBytes.default;

  function rejected(reason: string): CreateThumbnailResult {
    logger.warn('Upload refused; no thumbnail', { reason });
    return { status: 'rejected', reason };
  }

  async function process(input: UploadInput): Promise<CreateThumbnailResult> {
    const upload = parseUploadKey(input.key, config.uploadPrefix);
    if ('problem' in upload) return rejected(upload.problem);
    if (input.size > maxBytes) return rejected(`the object has ${input.size} bytes; at most ${maxBytes} are read`);

    let bytes: Uint8Array;
    try {
      const object = await deps.s3.send(new GetObjectCommand({
        Bucket: input.bucket,
        Key: input.key,
        // Only the version this event is about: an overwrite since has an event of its own.
        IfMatch: input.etag !== '' ? `"${input.etag}"` : undefined,
      }));
      if (object.ContentLength !== undefined && object.ContentLength > maxBytes) {
        (object.Body as { destroy?: () => void } | undefined)?.destroy?.();
        return rejected(`the object has ${object.ContentLength} bytes; at most ${maxBytes} are read`);
      }
      bytes = await readBounded(object.Body as AsyncIterable<Uint8Array> | undefined, maxBytes);
    } catch (err) {
      if (err instanceof TooLargeError) return rejected(`the object has ${err.message}; at most ${maxBytes} are read`);
      if (errorName(err) === 'PreconditionFailed' || httpStatus(err) === 412) {
        logger.info('The object was overwritten since this event; the newer upload gets its own thumbnail');
        return { status: 'superseded' };
      }
      if (errorName(err) === 'NoSuchKey') {
        logger.info('The object was deleted since this event; no thumbnail');
        return { status: 'missing' };
      }
      throw err;
    }

    let thumbnail;
    try {
      thumbnail = await makeThumbnail(bytes, upload.extension, limits);
    } catch (err) {
      if (err instanceof RejectedImageError) return rejected(err.reason);
      throw err;
    }
    const thumbnailKey = thumbnailKeyOf(upload, config.thumbnailPrefix);
    await deps.s3.send(new PutObjectCommand({
      Bucket: input.bucket,
      Key: thumbnailKey,
      Body: thumbnail.data,
      ContentType: thumbnail.contentType,
      Metadata: { 'source-key': input.key, ...(input.etag !== '' ? { 'source-etag': input.etag } : {}) },
    }));
    logger.info('Thumbnail written', {
      thumbnailKey,
      width: thumbnail.width,
      height: thumbnail.height,
      sourceWidth: thumbnail.source.width,
      sourceHeight: thumbnail.source.height,
      bytes: thumbnail.data.byteLength,
    });
    return { status: 'created', thumbnailKey, width: thumbnail.width, height: thumbnail.height };
  }

  return blueprintHandler<UploadInput, CreateThumbnailResult>({
    what: 'create-thumbnail input',
    logger,
    tracer: deps.tracer,
    parse: (event) => parseUploadInput(event, 'create-thumbnail input'),
    logKeys: (input) => ({ key: input.key.slice(0, 256), eventId: input.eventId }),
    process,
  });
}

/** Lambda entry point: builds the client and configuration from the environment on first use. */
export const handler = lazyHandler(() => {
  const tracer = createTracer();
  return createThumbnailHandler(createThumbnailConfigFromEnv(process.env), {
    s3: tracer.captureAWSv3Client(new S3Client({})),
    tracer,
  });
});
