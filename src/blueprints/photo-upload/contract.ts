/**
 * The contract of the photo-upload blueprint, written once: the S3 event it consumes, the inputs its consumers get,
 * the follower notification message, the object key layout, environment variable names and limits. Pure data,
 * imported by the construct (photo-upload.ts) and by the handlers (runtime/*.lambda.ts).
 */

/** The event Amazon S3 sends to EventBridge (on the account's default bus) when an object is created. */
export const OBJECT_CREATED = { source: 'aws.s3', detailType: 'Object Created' } as const;

export const DEFAULT_UPLOAD_PREFIX = 'uploads/';
export const DEFAULT_THUMBNAIL_PREFIX = 'thumbnails/';

/**
 * The image types the thumbnail function decodes, by file extension. The rule matches these extensions in lower
 * and in upper case (`photo.jpg`, `PHOTO.JPG`); EventBridge wildcards are case-sensitive.
 */
export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png'] as const;

export const LIMITS = {
  /** Object keys: S3 allows 1,024 bytes; the layout below keeps them far shorter. */
  maxKeyBytes: 1024,
  /** A prefix (`uploads/`, `thumbnails/`): 1 to 100 characters of letters, digits, `.`, `_`, `-` and `/`. */
  maxPrefixLength: 100,
  maxUserIdLength: 128,
  /** The file name after the user id, extension included. */
  maxFileNameLength: 200,
  /** The longer edge of a thumbnail, in pixels. */
  thumbnailSize: { min: 16, max: 2048, default: 256 },
  /** The largest upload the rule routes (and the thumbnail function reads), in bytes. */
  maxImageBytes: { min: 1, max: 50 * 1024 * 1024, default: 15 * 1024 * 1024 },
  /** The most pixels (width x height) the thumbnail function decodes (24 megapixels: 6000 x 4000). */
  maxImagePixels: { min: 1, max: 100_000_000, default: 24_000_000 },
  /**
   * Memory the thumbnail function needs per decoded pixel, in bytes: 28 to 35 bytes of peak RSS growth per pixel
   * measured for 3- and 12-megapixel JPEGs (`npx projen bench thumbnail`; jpeg-js keeps its coefficients, the
   * planes and the RGBA bitmap), rounded up.
   */
  bytesPerDecodedPixel: 40,
  /** The thumbnail function's memory besides the pixels (runtime, SDK, code), in MiB. */
  thumbnailBaseMemoryMiB: 256,
  /**
   * Decoding and resizing time per pixel on one full vCPU, in nanoseconds: 150 (3 MP) and 172 (12 MP) measured on a
   * 2-core x86_64 build machine (`npx projen bench thumbnail`), rounded up.
   */
  decodeNanosPerPixel: 175,
  /**
   * The thumbnail function's timeout: the S3 read and writes (`base`), plus the decoding time of `maxImagePixels`
   * times `safety` (a Lambda vCPU may be slower than the machine measured), scaled up below 1,769 MB, where Lambda gives
   * less than one vCPU; within `min` and `max`, in seconds.
   */
  thumbnailTimeoutSeconds: { base: 30, safety: 3, min: 60, max: 900, fullVcpuMemoryMb: 1769 },
  /** The longest edge the thumbnail function decodes (JPEG allows 65,535). */
  maxImageEdge: 20_000,
} as const;

/** Environment variables of the default functions. */
export const ENV = {
  uploadPrefix: 'UPLOAD_PREFIX',
  thumbnailPrefix: 'THUMBNAIL_PREFIX',
  thumbnailSize: 'THUMBNAIL_SIZE',
  maxImageBytes: 'MAX_IMAGE_BYTES',
  maxImagePixels: 'MAX_IMAGE_PIXELS',
  profileTableName: 'PROFILE_TABLE_NAME',
} as const;

/** A user id in a key: letters, digits, `.`, `_`, `:`, `-`, starting with a letter or digit. */
export const USER_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]*$';
/** A file name in a key: letters, digits, `.`, `_`, `-`, starting with a letter or digit, then an image extension. */
export const FILE_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*\\.(jpg|jpeg|png|JPG|JPEG|PNG)$';

/** The name of a schema in the registry and its draft-04 JSON Schema. */
export interface SchemaData {
  readonly schemaName: string;
  readonly description: string;
  readonly schema: { [key: string]: any };
}

/**
 * The part of S3's `Object Created` event the blueprint relies on (S3 sends more).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 */
export const OBJECT_CREATED_SCHEMA: SchemaData = {
  schemaName: 'aws.s3@ObjectCreated',
  description: 'Amazon S3 created an object in the uploads bucket (the fields the photo-upload blueprint reads).',
  schema: {
    $schema: 'http://json-schema.org/draft-04/schema#',
    type: 'object',
    required: ['id', 'source', 'detail-type', 'time', 'detail'],
    properties: {
      'id': { type: 'string' },
      'source': { type: 'string', enum: [OBJECT_CREATED.source] },
      'detail-type': { type: 'string', enum: [OBJECT_CREATED.detailType] },
      'time': { type: 'string', format: 'date-time' },
      'detail': {
        type: 'object',
        required: ['bucket', 'object'],
        properties: {
          bucket: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
          object: {
            type: 'object',
            required: ['key', 'size'],
            properties: {
              'key': { type: 'string', minLength: 1, maxLength: LIMITS.maxKeyBytes },
              'size': { type: 'integer', minimum: 0 },
              'etag': { type: 'string' },
              'sequencer': { type: 'string', description: 'Orders the events of one key: hexadecimal, compared after right-padding with zeros.' },
              'version-id': { type: 'string' },
            },
          },
          reason: { type: 'string' },
        },
      },
    },
  },
};

/** What the thumbnail and profile functions receive (an input transformer on their targets). */
const UPLOAD_PROPERTIES = {
  eventId: { type: 'string', minLength: 1, maxLength: 128, description: 'The id of the S3 event.' },
  bucket: { type: 'string', minLength: 1, maxLength: 63 },
  key: { type: 'string', minLength: 1, maxLength: LIMITS.maxKeyBytes },
  size: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  etag: { type: 'string', maxLength: 128, description: 'Empty when S3 sent none.' },
  sequencer: { type: 'string', maxLength: 64, pattern: '^[0-9A-Fa-f]*$', description: 'hexadecimal; empty when S3 sent none' },
  time: { type: 'string', format: 'date-time', description: 'When S3 created the object (the event\'s time).' },
};

export const UPLOAD_INPUT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  type: 'object',
  required: ['eventId', 'bucket', 'key', 'size', 'time'],
  properties: UPLOAD_PROPERTIES,
};

/** The message the follower notification topic receives. */
export const PHOTO_UPLOADED_NOTIFICATION: SchemaData = {
  schemaName: 'photo-upload@PhotoUploadedNotification',
  description: 'The message on the follower notification topic: a user uploaded a photo (key layout <prefix><userId>/<file>).',
  schema: {
    $schema: 'http://json-schema.org/draft-04/schema#',
    type: 'object',
    required: ['type', 'eventId', 'bucket', 'key', 'size', 'uploadedAt'],
    properties: {
      type: { type: 'string', enum: ['PhotoUploaded'] },
      eventId: UPLOAD_PROPERTIES.eventId,
      bucket: UPLOAD_PROPERTIES.bucket,
      key: { ...UPLOAD_PROPERTIES.key, description: 'The photo: <uploadPrefix><userId>/<fileName>; the user id is the segment after the prefix.' },
      size: UPLOAD_PROPERTIES.size,
      uploadedAt: UPLOAD_PROPERTIES.time,
    },
  },
};
