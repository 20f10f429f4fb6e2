import * as fs from 'fs';
import * as path from 'path';

/** One conformance case (format: shared EVENT-PATTERNS.md, section 6). */
export interface ConformanceCase {
  readonly id: string;
  readonly category: string;
  readonly source: string;
  readonly pattern?: unknown;
  readonly pattern_raw?: string;
  readonly event?: unknown;
  readonly event_raw?: string;
  readonly matches?: boolean;
  readonly valid?: boolean;
  readonly reason?: string;
  readonly event_ruler_message?: string;
  readonly uncertain?: boolean;
  readonly uncertain_why?: string;
  readonly eventbridge_only?: boolean;
  readonly note?: string;
}

const DATA_DIR = path.join(__dirname, 'data');

function jsonFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? jsonFiles(path.join(dir, e.name)) : e.name.endsWith('.json') ? [path.join(dir, e.name)] : []))
    .sort();
}

/** Every case in test/patterns/data, with the file it came from. */
export function loadCases(): Array<ConformanceCase & { readonly file: string }> {
  return jsonFiles(DATA_DIR).flatMap((file) => {
    const cases = JSON.parse(fs.readFileSync(file, 'utf8')) as ConformanceCase[];
    return cases.map((c) => ({ ...c, file: path.relative(DATA_DIR, file) }));
  });
}

/** The pattern of a case: the raw JSON text when the case has one. */
export function patternOf(c: ConformanceCase): unknown {
  return c.pattern_raw ?? c.pattern;
}

/** The event of a case: the raw JSON text when the case has one. */
export function eventOf(c: ConformanceCase): unknown {
  return c.event_raw ?? c.event;
}

/** The message an invalid case must produce: event-ruler's when recorded, else the reason. */
export function expectedMessage(c: ConformanceCase): string {
  return c.event_ruler_message ?? c.reason!;
}
