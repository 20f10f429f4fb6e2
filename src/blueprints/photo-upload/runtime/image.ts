/**
 * Thumbnails with Jimp (pure JavaScript: jpeg-js and pngjs underneath, no native code, bundled by esbuild) and
 * image-size (reads only the headers). Hostile images are refused before anything is decoded: the byte count is
 * bounded by the caller, then the dimensions in the header are checked (a 50,000 x 50,000 PNG of a few kilobytes
 * would decode to 10 GB), and the decoders get the same limits again (jpeg-js `maxResolutionInMP` /
 * `maxMemoryUsageInMB`; pngjs inflates at most width x height x 4 bytes).
 */
import { createJimp } from '@jimp/core';
import jpeg from '@jimp/js-jpeg';
import png from '@jimp/js-png';
import { methods as resizeMethods } from '@jimp/plugin-resize';
import { imageSize } from 'image-size';
import type { ImageExtension } from './upload';
import { LIMITS } from '../contract';

const Jimp = createJimp({ formats: [jpeg, png], plugins: [resizeMethods] });
const JPEG = jpeg();
const PNG = png();

export interface ThumbnailLimits {
  /** The longer edge of the thumbnail, in pixels. */
  readonly size: number;
  /** The most pixels (width x height) decoded. */
  readonly maxPixels: number;
  /** The longest edge decoded. */
  readonly maxEdge: number;
}

export type ImageFormat = 'jpeg' | 'png';

export interface ImageHeader {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
}

export interface Thumbnail {
  readonly data: Buffer;
  readonly contentType: string;
  readonly width: number;
  readonly height: number;
  readonly source: ImageHeader;
}

/** An image refused for what it is (not a failure to retry). */
export class RejectedImageError extends Error {
  constructor(public readonly reason: string) {
    super(`Image refused: ${reason}`);
    this.name = 'RejectedImageError';
  }
}

/** The format and dimensions from the header only, checked against the limits and the key's extension. */
export function readHeader(bytes: Uint8Array, extension: ImageExtension, limits: ThumbnailLimits): ImageHeader {
  let info: { type?: string; width?: number; height?: number };
  try {
    info = imageSize(bytes);
  } catch (err) {
    throw new RejectedImageError(`not a readable image (${(err as Error).message.slice(0, 100)})`);
  }
  const format: ImageFormat | undefined = info.type === 'jpg' ? 'jpeg' : info.type === 'png' ? 'png' : undefined;
  if (format === undefined) {
    throw new RejectedImageError(`the content is ${info.type ?? 'of an unknown type'}, not a JPEG or PNG image`);
  }
  const expected: ImageFormat = extension === 'png' ? 'png' : 'jpeg';
  if (format !== expected) {
    throw new RejectedImageError(`the content is a ${format.toUpperCase()} image but the key ends in .${extension}`);
  }
  const width = info.width ?? 0;
  const height = info.height ?? 0;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RejectedImageError(`the image has no usable dimensions (${width} x ${height})`);
  }
  if (width > limits.maxEdge || height > limits.maxEdge) {
    throw new RejectedImageError(`the image is ${width} x ${height} pixels; at most ${limits.maxEdge} pixels per edge are decoded`);
  }
  if (width * height > limits.maxPixels) {
    throw new RejectedImageError(`the image has ${width * height} pixels (${width} x ${height}); at most ${limits.maxPixels} are decoded`);
  }
  return { format, width, height };
}

/** The thumbnail's dimensions: the image scaled to fit `size` x `size`, aspect ratio kept, never enlarged. */
export function fitWithin(width: number, height: number, size: number): { width: number; height: number } {
  const scale = Math.min(1, size / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * A thumbnail of `bytes` in the same format (JPEG quality 80, or PNG).
 * @throws RejectedImageError for images that are not JPEG/PNG, do not match the extension, exceed the limits or do not decode
 */
export async function makeThumbnail(bytes: Uint8Array, extension: ImageExtension, limits: ThumbnailLimits): Promise<Thumbnail> {
  const source = readHeader(bytes, extension, limits);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let bitmap: { data: Buffer; width: number; height: number };
  try {
    bitmap = source.format === 'jpeg'
      ? await JPEG.decode(buffer, {
        maxResolutionInMP: limits.maxPixels / 1_000_000,
        // The same budget the function's memory is sized for (contract.ts).
        maxMemoryUsageInMB: Math.ceil((limits.maxPixels * LIMITS.bytesPerDecodedPixel) / (1024 * 1024)),
      })
      : await PNG.decode(buffer);
  } catch (err) {
    throw new RejectedImageError(`the ${source.format.toUpperCase()} data does not decode (${(err as Error).message.slice(0, 100)})`);
  }
  if (bitmap.width !== source.width || bitmap.height !== source.height) {
    throw new RejectedImageError(`the header says ${source.width} x ${source.height} but the data decodes to ${bitmap.width} x ${bitmap.height}`);
  }
  // No copy of the bitmap: the decoders return a Buffer.
  const data = Buffer.isBuffer(bitmap.data) ? bitmap.data : Buffer.from(bitmap.data);
  const image = new Jimp({ data, width: bitmap.width, height: bitmap.height });
  const target = fitWithin(bitmap.width, bitmap.height, limits.size);
  if (target.width !== bitmap.width || target.height !== bitmap.height) {
    image.resize({ w: target.width, h: target.height });
  }
  const encoded = source.format === 'jpeg'
    ? await image.getBuffer('image/jpeg', { quality: 80 })
    : await image.getBuffer('image/png');
  return {
    data: encoded,
    contentType: source.format === 'jpeg' ? 'image/jpeg' : 'image/png',
    width: image.bitmap.width,
    height: image.bitmap.height,
    source,
  };
}
