import * as fs from 'fs';
import * as path from 'path';
import { readBoundedStdin, readBoundedText } from './bounded-file';
import { parseJsonText } from './json-text';

/** The largest events file (or standard input) read: recorded events of a busy day fit; a runaway file does not. */
const MAX_EVENTS_FILE_BYTES = 64 * 1024 * 1024;
/** The most bytes read from a directory of events, every file together. */
const MAX_EVENTS_TOTAL_BYTES = 256 * 1024 * 1024;
/** The most files read from a directory of events. */
const MAX_EVENT_FILES = 100_000;
/** The most events read in one run. */
const MAX_EVENTS = 1_000_000;

/** One recorded event and where it was read. */
export interface EventRecord {
  /** `file:line` (NDJSON), `file` (a JSON file), `file[i]` (an element of a JSON array). */
  readonly location: string;
  readonly value: any;
}

const EVENT_FILE = /\.(json|ndjson|jsonl)$/;

/**
 * Reads recorded events from a directory (every `*.json`, `*.ndjson` and `*.jsonl` file directly in it, by name;
 * sub-directories and other files are skipped), one file, or `-` (standard input, NDJSON). A `.json` file holds
 * one event or an array of events; `.ndjson` / `.jsonl` hold one event a line (blank lines skipped). Everything is
 * bounded: each file (and standard input) at most 64 MiB, a directory at most 256 MiB and 100,000 files in all, at
 * most 1,000,000 events. Errors name the file and line, never the content.
 */
export function readEventRecords(location: string, readStdin?: (maxBytes: number) => string): EventRecord[] {
  const out: EventRecord[] = [];
  if (location === '-') {
    const text = (readStdin ?? ((max) => readBoundedStdin(max, 'the events on stdin')))(MAX_EVENTS_FILE_BYTES);
    parseLines(text, 'stdin', out);
    return out;
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(location);
  } catch (e) {
    throw new Error(`cannot read the events ${location}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!stat.isDirectory()) {
    parseFile(location, readBoundedText(location, MAX_EVENTS_FILE_BYTES, 'the events file'), out);
    return out;
  }
  const names = fs.readdirSync(location).filter((n) => EVENT_FILE.test(n)).sort();
  let total = 0;
  let files = 0;
  for (const name of names) {
    const file = path.join(location, name);
    const s = fs.lstatSync(file);
    if (s.isDirectory()) {
      continue;
    }
    if (++files > MAX_EVENT_FILES) {
      throw new Error(`the events directory ${location} has more than ${MAX_EVENT_FILES} event files; at most ${MAX_EVENT_FILES} are read`);
    }
    const text = readBoundedText(file, MAX_EVENTS_FILE_BYTES, 'the events file', location);
    total += Buffer.byteLength(text, 'utf8');
    if (total > MAX_EVENTS_TOTAL_BYTES) {
      throw new Error(`the events directory ${location} holds more than ${MAX_EVENTS_TOTAL_BYTES} bytes of events; at most ${MAX_EVENTS_TOTAL_BYTES} are read`);
    }
    parseFile(file, text, out);
  }
  if (out.length === 0) {
    throw new Error(`the events directory ${location} has no events: expected *.json, *.ndjson or *.jsonl files`);
  }
  return out;
}

function parseFile(file: string, text: string, out: EventRecord[]): void {
  if (/\.json$/.test(file)) {
    const value = parseJsonText(text, `the events file ${file}`);
    if (Array.isArray(value)) {
      value.forEach((v, i) => push(out, { location: `${file}[${i}]`, value: v }));
    } else {
      push(out, { location: file, value });
    }
    return;
  }
  parseLines(text, file, out);
}

function parseLines(text: string, file: string, out: EventRecord[]): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.length > 0) {
      push(out, { location: `${file}:${i + 1}`, value: parseJsonText(line, `${file} line ${i + 1}`) });
    }
  }
}

function push(out: EventRecord[], record: EventRecord): void {
  if (out.length >= MAX_EVENTS) {
    throw new Error(`more than ${MAX_EVENTS} events; at most ${MAX_EVENTS} are read in one run`);
  }
  out.push(record);
}
