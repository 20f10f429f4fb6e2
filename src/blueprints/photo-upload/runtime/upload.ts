/**
 * Pure logic shared by the photo-upload handlers: read the upload input (what the rule's input transformer sends),
 * read the object key layout `<uploadPrefix><userId>/<fileName>.<ext>`, name the thumbnail, and order photos.
 */
import { Checker, isIsoTimestamp, nullAsAbsent, requireObject, validateAgainstSchema } from '../../runtime-shared/validation';
import { FILE_NAME_PATTERN, IMAGE_EXTENSIONS, LIMITS, UPLOAD_INPUT_SCHEMA, USER_ID_PATTERN } from '../contract';
import type { UploadInput as ContractUploadInput } from './contract.generated';

/**
 * One upload, as {@link parseUploadInput} returns it: the contract's input (`UPLOAD_INPUT_SCHEMA`) with `etag` and
 * `sequencer` always set (empty when S3 sent none).
 */
export type UploadInput = Required<ContractUploadInput>;

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

/**
 * Validate the upload input against its schema in the contract (`null` etag or sequencer means absent).
 * @throws InvalidEventError listing the problems (the input transformer or the producer is broken)
 */
export function parseUploadInput(event: unknown, what: string): UploadInput {
  const input = validateAgainstSchema<ContractUploadInput>(
    UPLOAD_INPUT_SCHEMA, nullAsAbsent(requireObject(event, 'input', what), ['etag', 'sequencer']), what, 'input');
  // What JSON Schema cannot say: S3 limits keys in UTF-8 bytes.
  const check = new Checker();
  check.maxUtf8Bytes(input.key, 'input.key', LIMITS.maxKeyBytes);
  check.done(what);
  const { eventId, bucket, key, size, time } = input;
  return { eventId, bucket, key, size, etag: input.etag ?? '', sequencer: input.sequencer ?? '', time };
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
