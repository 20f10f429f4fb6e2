/**
 * Pure logic shared by the photo-upload handlers: read the upload input (what the rule's input transformer sends),
 * read the object key layout `<uploadPrefix><userId>/<fileName>.<ext>`, name the thumbnail, and order photos.
 */
import { Checker, isIsoTimestamp } from '../../runtime-shared/validation';
import { FILE_NAME_PATTERN, IMAGE_EXTENSIONS, LIMITS, USER_ID_PATTERN } from '../contract';

/** One upload, as the input transformer of the rule's targets delivers it. */
export interface UploadInput {
  readonly eventId: string;
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** Empty when S3 sent none. */
  readonly etag: string;
  /** Empty when S3 sent none. */
  readonly sequencer: string;
  /** When S3 created the object, RFC 3339. */
  readonly time: string;
}

export type ImageExtension = typeof IMAGE_EXTENSIONS[number];

/** The parts of an upload key. */
export interface UploadKey {
  readonly userId: string;
  /** The file name after the user id, extension included (`beach.jpg`). */
  readonly fileName: string;
  /** Lower case. */
  readonly extension: ImageExtension;
}

const USER_ID = new RegExp(USER_ID_PATTERN);
const FILE_NAME = new RegExp(FILE_NAME_PATTERN);
/** S3's sequencer: hexadecimal. */
const SEQUENCER = /^[0-9A-Fa-f]{1,64}$/;

/**
 * Validate the upload input.
 * @throws InvalidEventError listing every problem (the input transformer or the producer is broken)
 */
export function parseUploadInput(event: unknown, what: string): UploadInput {
  const check = new Checker();
  const input = check.object(event, 'input');
  if (!input) {
    check.done(what);
    throw new Error('unreachable');
  }
  const eventId = check.string(input.eventId, 'eventId', { maxLength: 128 });
  const bucket = check.string(input.bucket, 'bucket', { maxLength: 63 });
  const key = check.string(input.key, 'key', { maxLength: LIMITS.maxKeyBytes, maxBytes: LIMITS.maxKeyBytes });
  const size = input.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    check.problem(`size must be a whole number of bytes, got ${JSON.stringify(size)?.slice(0, 40)}`);
  }
  const etag = optionalText(check, input.etag, 'etag', 128);
  const sequencer = optionalText(check, input.sequencer, 'sequencer', 64);
  if (sequencer !== undefined && sequencer !== '' && !SEQUENCER.test(sequencer)) {
    check.problem('sequencer must be hexadecimal (at most 64 digits)');
  }
  const time = check.isoTimestamp(input.time, 'time');
  check.done(what);
  return { eventId: eventId!, bucket: bucket!, key: key!, size: size as number, etag: etag ?? '', sequencer: sequencer ?? '', time: time! };
}

/** A string that may be missing or empty (an input transformer renders a missing field as ""). */
function optionalText(check: Checker, value: unknown, path: string, maxLength: number): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return check.string(value, path, { maxLength });
}

/**
 * The parts of `key` under `uploadPrefix`, or why it does not follow the layout `<uploadPrefix><userId>/<fileName>`
 * (one level, no nested folders, letters/digits/`.`/`_`/`-` only, so that the key is the same URL-encoded or not).
 */
export function parseUploadKey(key: string, uploadPrefix: string): UploadKey | { readonly problem: string } {
  if (key.length > LIMITS.maxKeyBytes || !key.startsWith(uploadPrefix)) {
    return { problem: `the key is not under ${uploadPrefix}` };
  }
  const rest = key.slice(uploadPrefix.length);
  const slash = rest.indexOf('/');
  if (slash < 0 || rest.indexOf('/', slash + 1) >= 0) {
    return { problem: `the key must be ${uploadPrefix}<userId>/<fileName> (exactly one "/" after the prefix)` };
  }
  const userId = rest.slice(0, slash);
  const fileName = rest.slice(slash + 1);
  if (userId.length > LIMITS.maxUserIdLength || !USER_ID.test(userId)) {
    return { problem: `the user id must be 1-${LIMITS.maxUserIdLength} letters, digits, ".", "_", ":" or "-", starting with a letter or digit` };
  }
  if (fileName.length > LIMITS.maxFileNameLength || !FILE_NAME.test(fileName)) {
    return { problem: `the file name must be 1-${LIMITS.maxFileNameLength} letters, digits, ".", "_" or "-" ending in .${IMAGE_EXTENSIONS.join(', .')}` };
  }
  const extension = fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase() as ImageExtension;
  return { userId, fileName, extension };
}

/** The key of an upload's thumbnail: the same user id and file name under `thumbnailPrefix`. */
export function thumbnailKeyOf(upload: UploadKey, thumbnailPrefix: string): string {
  return `${thumbnailPrefix}${upload.userId}/${upload.fileName}`;
}

/**
 * A string that orders a user's photos: by the time S3 created the object, then (same second) by the sequencer of
 * the event (S3's order of the events of one key: hexadecimal, compared after right-padding with zeros), then by
 * key. Equal for a redelivery of the same event, so "newer" is a strict string comparison.
 */
export function photoVersion(input: UploadInput): string {
  if (!isIsoTimestamp(input.time)) throw new Error(`time must be an ISO 8601 timestamp, got ${input.time.slice(0, 64)}`);
  const millis = Date.parse(input.time);
  const time = String(millis).padStart(15, '0');
  const sequencer = input.sequencer.toUpperCase().padEnd(64, '0');
  return `${time}#${sequencer}#${input.key}`;
}
