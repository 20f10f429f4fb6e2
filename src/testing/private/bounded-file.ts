import * as fs from 'fs';
import * as path from 'path';

/**
 * Reads a file that a user or a build put on disk, bounded: a regular file only (not a directory, a device or a FIFO,
 * which could block or never end), at most `maxBytes` (read through the descriptor, so a file that grows while it is
 * read cannot pass the bound either), and, with `within`, only when its real path (symbolic links resolved) lies in
 * that directory. Errors name the file and the reason, never its content.
 */
export function readBoundedText(file: string, maxBytes: number, what: string, within?: string): string {
  let real: string;
  let stat: fs.Stats;
  try {
    real = fs.realpathSync(file);
    stat = fs.statSync(real);
  } catch (e) {
    throw new Error(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (within !== undefined) {
    const root = fs.realpathSync(within);
    if (real !== root && !real.startsWith(root + path.sep)) {
      throw new Error(`${what} ${file} lies outside ${within} (a symbolic link to ${real}): refused`);
    }
  }
  if (!stat.isFile()) {
    throw new Error(`${what} ${file} is not a regular file: refused`);
  }
  if (stat.size > maxBytes) {
    throw new Error(`${what} ${file} is ${stat.size} bytes; at most ${maxBytes} bytes are read`);
  }
  const fd = fs.openSync(real, 'r');
  try {
    return readAtMost(fd, maxBytes, () => `${what} ${file} grew past ${maxBytes} bytes while it was read`);
  } finally {
    fs.closeSync(fd);
  }
}

/** Standard input, at most `maxBytes`: more is refused as soon as it arrives, without reading the rest. */
export function readBoundedStdin(maxBytes: number, what: string): string {
  return readAtMost(0, maxBytes, () => `${what} is over ${maxBytes} bytes; at most ${maxBytes} bytes are read`);
}

function readAtMost(fd: number, maxBytes: number, tooLarge: () => string): string {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue; // a non-blocking pipe with nothing yet
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    total += n;
    if (total > maxBytes) throw new Error(tooLarge());
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks, total).toString('utf8');
}
