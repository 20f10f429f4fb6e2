/**
 * Benchmark of the photo-upload thumbnail function's image work (src/blueprints/photo-upload/runtime/image.ts):
 * JPEGs of 3 and 12 megapixels (made here with the same encoder, a gradient with noise so that they do not compress
 * to nothing) scaled to 256 pixels, and a decompression bomb (a header claiming 20,000 x 20,000 pixels) refused.
 * Reported: time, and the peak RSS growth per decoded pixel (each image thumbnailed once in a fresh process: its
 * peak RSS, `maxRSS`, minus its RSS just before), and the ratios against the 3-megapixel baseline of the same run. The RSS per pixel is what sizes the function's memory
 * (contract.ts, LIMITS.bytesPerDecodedPixel).
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import jpegFormat from '@jimp/js-jpeg';
import { RejectedImageError, makeThumbnail } from '../src/blueprints/photo-upload/runtime/image';

const LIMITS = { size: 256, maxPixels: 100_000_000, maxEdge: 20_000 };

function testJpeg(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  let seed = 7;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const i = (y * width + x) * 4;
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = seed % 64;
      data[i + 3] = 255;
    }
  }
  return jpegFormat().encode({ data, width, height }, { quality: 85 }) as Buffer;
}

function gc(): void {
  (global as { gc?: () => void }).gc?.();
}

/** In a child process: thumbnail the file once, print `{ ms, rssMiB }` (peak RSS growth). */
export async function child(file: string): Promise<void> {
  const bytes = readFileSync(file);
  await makeThumbnail(testJpeg(300, 300), 'jpg', LIMITS); // warm-up (JIT), small enough not to move the peak
  gc();
  const before = process.memoryUsage().rss;
  const t0 = performance.now();
  await makeThumbnail(bytes, 'jpg', LIMITS);
  const ms = performance.now() - t0;
  const rssMiB = (process.resourceUsage().maxRSS * 1024 - before) / (1024 * 1024);
  console.log(JSON.stringify({ ms, rssMiB }));
}

function measure(dir: string, name: string, bytes: Buffer): { ms: number; rssMiB: number } {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  const out = execFileSync(process.execPath, ['--expose-gc', '-r', 'ts-node/register/transpile-only', '-e',
    `require(${JSON.stringify(__filename)}).child(${JSON.stringify(file)})`], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

export async function run(_args: string[]): Promise<void> {
  const small = testJpeg(2000, 1500);
  const large = testJpeg(4000, 3000);
  const bomb = Buffer.from(small);
  for (let i = 2; i + 9 < bomb.length; i += 2 + bomb.readUInt16BE(i + 2)) {
    if (bomb.readUInt16BE(i) === 0xffc0) {
      bomb.writeUInt16BE(20_000, i + 5);
      bomb.writeUInt16BE(20_000, i + 7);
      break;
    }
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-thumbnail-'));
  let base;
  let big;
  try {
    base = measure(dir, 'small.jpg', small);
    big = measure(dir, 'large.jpg', large);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  gc();
  const t0 = performance.now();
  let refused = false;
  try {
    await makeThumbnail(bomb, 'jpg', { ...LIMITS, maxPixels: 24_000_000 });
  } catch (err) {
    refused = err instanceof RejectedImageError;
  }
  const bombMs = performance.now() - t0;

  console.log('image                          bytes     time (ms)   RSS growth (MiB)   bytes/pixel');
  for (const [name, bytes, r, pixels] of [['3 MP JPEG (baseline)', small, base, 3e6], ['12 MP JPEG', large, big, 12e6]] as const) {
    console.log(`${name.padEnd(26)} ${String(bytes.length).padStart(10)} ${r.ms.toFixed(0).padStart(12)} ${r.rssMiB.toFixed(0).padStart(18)} ${((r.rssMiB * 1024 * 1024) / pixels).toFixed(1).padStart(13)}`);
  }
  console.log(`bomb 20000x20000 (refused: ${refused}) ${String(bomb.length).padStart(6)} ${bombMs.toFixed(2).padStart(12)}`);
  console.log(`ratio 12 MP / 3 MP: time ${(big.ms / base.ms).toFixed(2)} (pixels 4.00); bomb / 3 MP: time ${(bombMs / base.ms).toFixed(4)}`);
}
