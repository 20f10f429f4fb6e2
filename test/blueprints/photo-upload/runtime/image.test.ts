/**
 * Thumbnails of real images. The fixtures were made with ImageMagick 6.9 (an encoder independent of the libraries
 * under test), see fixtures/README.md; the thumbnails are decoded back and their pixels checked against the drawing.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import jpegFormat from '@jimp/js-jpeg';
import pngFormat from '@jimp/js-png';
import { RejectedImageError, fitWithin, makeThumbnail, readHeader } from '../../../../src/blueprints/photo-upload/runtime/image';

const fixture = (name: string) => readFileSync(path.join(__dirname, '..', 'fixtures', name));
const jpeg = jpegFormat();
const png = pngFormat();
const LIMITS = { size: 256, maxPixels: 40_000_000, maxEdge: 20_000 };

/** [r, g, b, a] of the pixel at (x, y) of an RGBA bitmap. */
function pixel(image: { data: Uint8Array; width: number }, x: number, y: number): number[] {
  const i = (y * image.width + x) * 4;
  return [...image.data.subarray(i, i + 4)];
}

/** True when every channel of `actual` is within `tolerance` of `expected`. */
function near(actual: number[], expected: number[], tolerance = 24): boolean {
  return expected.every((v, i) => Math.abs(actual[i] - v) <= tolerance);
}

/** Overwrites the dimensions in an image's header (PNG IHDR; JPEG SOF0/SOF2), leaving the rest as it was. */
function withHeaderDimensions(bytes: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(bytes);
  if (out.subarray(12, 16).toString('latin1') === 'IHDR') {
    out.writeUInt32BE(width, 16);
    out.writeUInt32BE(height, 20);
    return out;
  }
  for (let i = 2; i + 9 < out.length;) {
    const marker = out.readUInt16BE(i);
    if (marker === 0xffc0 || marker === 0xffc2) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
    i += 2 + out.readUInt16BE(i + 2);
  }
  throw new Error('no SOF marker');
}

describe('makeThumbnail', () => {
  test('a progressive 4:2:0 JPEG of 320 x 200 becomes a 256 x 160 JPEG with the same picture', async () => {
    const thumbnail = await makeThumbnail(fixture('photo.jpg'), 'jpg', LIMITS);
    expect(thumbnail).toMatchObject({ contentType: 'image/jpeg', width: 256, height: 160, source: { format: 'jpeg', width: 320, height: 200 } });
    const decoded = await jpeg.decode(thumbnail.data);
    expect([decoded.width, decoded.height]).toEqual([256, 160]);
    // The red circle (centre 100,100 in the original), the white square (245,100), the blue top and the yellow bottom.
    expect(near(pixel(decoded, 80, 80), [0xc0, 0x39, 0x2b, 255])).toBe(true);
    expect(near(pixel(decoded, 196, 80), [255, 255, 255, 255])).toBe(true);
    expect(near(pixel(decoded, 128, 1), [0x1e, 0x90, 0xff, 255], 40)).toBe(true);
    expect(near(pixel(decoded, 128, 158), [0xff, 0xd7, 0x00, 255], 40)).toBe(true);
    expect(thumbnail.data.byteLength).toBeLessThan(fixture('photo.jpg').byteLength * 2);
  });

  test('a 16-bit RGBA PNG of 300 x 400 becomes a 192 x 256 PNG that keeps its transparency', async () => {
    const thumbnail = await makeThumbnail(fixture('photo.png'), 'png', LIMITS);
    expect(thumbnail).toMatchObject({ contentType: 'image/png', width: 192, height: 256, source: { format: 'png', width: 300, height: 400 } });
    const decoded = await png.decode(thumbnail.data);
    expect([decoded.width, decoded.height]).toEqual([192, 256]);
    // Alpha rises from left (transparent) to right (opaque); the circle in the middle is light.
    expect(pixel(decoded, 0, 128)[3]).toBeLessThan(16);
    expect(pixel(decoded, 191, 128)[3]).toBeGreaterThan(235);
    const centre = pixel(decoded, 96, 128);
    expect(centre.slice(0, 3).every((v) => v > 180)).toBe(true);
  });

  test('an image smaller than the thumbnail keeps its size (a palette PNG, re-encoded)', async () => {
    const thumbnail = await makeThumbnail(fixture('tiny.png'), 'png', LIMITS);
    expect([thumbnail.width, thumbnail.height]).toEqual([40, 30]);
    const decoded = await png.decode(thumbnail.data);
    expect(near(pixel(decoded, 20, 15), [255, 0, 0, 255], 0)).toBe(true);
    expect(near(pixel(decoded, 2, 2), [0x33, 0x66, 0x99, 255], 0)).toBe(true);
  });

  test('the thumbnail size is a setting', async () => {
    const thumbnail = await makeThumbnail(fixture('photo.jpg'), 'jpeg', { ...LIMITS, size: 64 });
    expect([thumbnail.width, thumbnail.height]).toEqual([64, 40]);
  });
});

describe('hostile images are refused before decoding', () => {
  test.each([
    ['PNG', 'photo.png', 'png'],
    ['JPEG', 'photo.jpg', 'jpg'],
  ] as const)('a %s whose header claims 20,000 x 20,000 pixels (a decompression bomb) is refused from the header', (_kind, name, ext) => {
    const bomb = withHeaderDimensions(fixture(name), 20_000, 20_000);
    expect(() => readHeader(bomb, ext, LIMITS)).toThrow('Image refused: the image has 400000000 pixels (20000 x 20000); at most 40000000 are decoded');
  });

  test('an edge beyond the limit is refused even when the pixel count is small', () => {
    const strip = withHeaderDimensions(fixture('tiny.png'), 30_000, 1);
    expect(() => readHeader(strip, 'png', LIMITS)).toThrow('Image refused: the image is 30000 x 1 pixels; at most 20000 pixels per edge are decoded');
  });

  test('the pixel limit is a setting', async () => {
    await expect(makeThumbnail(fixture('photo.jpg'), 'jpg', { ...LIMITS, maxPixels: 320 * 200 - 1 }))
      .rejects.toThrow('the image has 64000 pixels (320 x 200); at most 63999 are decoded');
  });

  test('content that does not match the extension is refused', async () => {
    await expect(makeThumbnail(fixture('photo.png'), 'jpg', LIMITS)).rejects.toThrow('Image refused: the content is a PNG image but the key ends in .jpg');
    await expect(makeThumbnail(fixture('photo.jpg'), 'png', LIMITS)).rejects.toThrow('Image refused: the content is a JPEG image but the key ends in .png');
  });

  test('other formats and garbage are refused', async () => {
    const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
    await expect(makeThumbnail(gif, 'png', LIMITS)).rejects.toThrow('Image refused: the content is gif, not a JPEG or PNG image');
    await expect(makeThumbnail(Buffer.from('not an image at all'), 'png', LIMITS)).rejects.toThrow(RejectedImageError);
    await expect(makeThumbnail(new Uint8Array(0), 'jpg', LIMITS)).rejects.toThrow(RejectedImageError);
  });

  test('a truncated image is refused, not crashed on', async () => {
    const jpg = fixture('photo.jpg');
    const portrait = fixture('photo.png');
    await expect(makeThumbnail(jpg.subarray(0, jpg.length / 2), 'jpg', LIMITS)).rejects.toThrow(RejectedImageError);
    await expect(makeThumbnail(portrait.subarray(0, portrait.length / 2), 'png', LIMITS)).rejects.toThrow(RejectedImageError);
  });

  test('a header that lies about a small size is caught when the data decodes to another size', async () => {
    const liar = withHeaderDimensions(fixture('tiny.png'), 4, 3);
    await expect(makeThumbnail(liar, 'png', LIMITS)).rejects.toThrow(RejectedImageError);
  });
});

test.each([
  [320, 200, 256, { width: 256, height: 160 }],
  [200, 320, 256, { width: 160, height: 256 }],
  [100, 50, 256, { width: 100, height: 50 }],
  [10_000, 1, 256, { width: 256, height: 1 }],
  [256, 256, 256, { width: 256, height: 256 }],
])('fitWithin(%i, %i, %i)', (w, h, size, expected) => {
  expect(fitWithin(w, h, size)).toEqual(expected);
});
