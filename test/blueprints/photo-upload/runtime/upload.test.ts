import { parseUploadInput, parseUploadKey, photoVersion, thumbnailKeyOf } from '../../../../src/blueprints/photo-upload/runtime/upload';
import type { UploadInput } from '../../../../src/blueprints/photo-upload/runtime/upload';

const input: UploadInput = {
  eventId: 'e-1', bucket: 'photos', key: 'uploads/u-1/beach.jpg', size: 1234, etag: 'abc', sequencer: '617F08299329D189', time: '2026-11-30T10:00:00Z',
};

describe('parseUploadKey', () => {
  test.each([
    ['uploads/u-1/beach.jpg', { userId: 'u-1', fileName: 'beach.jpg', extension: 'jpg' }],
    ['uploads/User_7/IMG_0001.JPEG', { userId: 'User_7', fileName: 'IMG_0001.JPEG', extension: 'jpeg' }],
    ['uploads/a/b.c.PNG', { userId: 'a', fileName: 'b.c.PNG', extension: 'png' }],
  ])('reads %s', (key, expected) => {
    expect(parseUploadKey(key, 'uploads/')).toEqual(expected);
  });

  test.each([
    ['thumbnails/u-1/beach.jpg', 'the key is not under uploads/'],
    ['uploads/beach.jpg', 'the key must be uploads/<userId>/<fileName> (exactly one "/" after the prefix)'],
    ['uploads/u-1/2026/beach.jpg', 'the key must be uploads/<userId>/<fileName> (exactly one "/" after the prefix)'],
    ['uploads/-u/beach.jpg', 'the user id must be 1-128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit'],
    ['uploads//beach.jpg', 'the user id must be'],
    [`uploads/${'u'.repeat(129)}/beach.jpg`, 'the user id must be'],
    ['uploads/u-1/beach+party.jpg', 'the file name must be 1-200 letters, digits, ".", "_" or "-" ending in .jpg, .jpeg, .png'],
    ['uploads/u-1/beach.gif', 'the file name must be'],
    ['uploads/u-1/.jpg', 'the file name must be'],
    ['uploads/u-1/beach%20party.jpg', 'the file name must be'],
    [`uploads/u-1/${'b'.repeat(197)}.jpg`, 'the file name must be'],
  ])('refuses %s', (key, problem) => {
    const result = parseUploadKey(key, 'uploads/');
    expect('problem' in result && result.problem).toContain(problem);
  });

  test('a key of 100,000 characters is refused at once (bounded work)', () => {
    expect(parseUploadKey(`uploads/u/${'a/'.repeat(50_000)}x.jpg`, 'uploads/')).toEqual({ problem: 'the key is not under uploads/' });
  });
});

test('the thumbnail key keeps user id and file name under the thumbnail prefix', () => {
  expect(thumbnailKeyOf({ userId: 'u-1', fileName: 'beach.JPG', extension: 'jpg' }, 'thumbnails/')).toBe('thumbnails/u-1/beach.JPG');
});

describe('photoVersion orders photos', () => {
  test('by time first', () => {
    const older = photoVersion({ ...input, time: '2026-11-30T09:59:59Z', sequencer: 'FFFF' });
    expect(older < photoVersion(input)).toBe(true);
  });

  test('then by sequencer, right-padded with zeros (S3: compare after padding the shorter one)', () => {
    const a = photoVersion({ ...input, sequencer: '617F08299329D189' });
    const b = photoVersion({ ...input, sequencer: '617F08299329D18A00' });
    const c = photoVersion({ ...input, sequencer: '617f08299329d19' });
    expect(a < b).toBe(true);
    expect(b < c).toBe(true);
  });

  test('equal for the same event (a redelivery), whatever the case of the sequencer', () => {
    expect(photoVersion({ ...input, sequencer: '617f08299329d189' })).toBe(photoVersion(input));
  });

  test('time offsets count: 11:00+01:00 is 10:00Z', () => {
    expect(photoVersion({ ...input, time: '2026-11-30T11:00:00+01:00' })).toBe(photoVersion(input));
  });
});

describe('parseUploadInput', () => {
  test('accepts the transformer output; a missing etag or sequencer (rendered "") is empty', () => {
    expect(parseUploadInput({ ...input, etag: '', sequencer: '' }, 'x')).toEqual({ ...input, etag: '', sequencer: '' });
  });

  test('throws a non-retryable error listing every problem', () => {
    expect(() => parseUploadInput({ eventId: 'e', bucket: 'b', key: '', size: -1, sequencer: 'xyz', time: 'yesterday' }, 'update-profile input'))
      .toThrow('Invalid update-profile input (non-retryable, fix the producer): input.key must have at least 1 character(s), got 0; '
        + 'input.size must be >= 0, got -1; input.sequencer must match "^[0-9A-Fa-f]*$" (hexadecimal; empty when S3 sent none), got a string of 3 characters; '
        + 'input.time must be an ISO 8601 timestamp like "2026-05-01T10:00:00Z", got a string of 9 characters');
  });

  test('a key over the limit in UTF-8 bytes is refused, and a null etag or sequencer is empty', () => {
    expect(() => parseUploadInput({ ...input, key: `uploads/u/${'€'.repeat(400)}.jpg` }, 'x'))
      .toThrow('Invalid x (non-retryable, fix the producer): input.key must be at most 1024 bytes in UTF-8, got 1214');
    expect(parseUploadInput({ ...input, etag: null, sequencer: null }, 'x')).toMatchObject({ etag: '', sequencer: '' });
  });

  test('refuses a whole S3 event (the input transformer is missing)', () => {
    expect(() => parseUploadInput({ 'detail-type': 'Object Created', 'detail': {} }, 'x')).toThrow('Invalid x (non-retryable, fix the producer): input.eventId is required; input.bucket is required; input.key is required; input.size is required; input.time is required');
  });
});
