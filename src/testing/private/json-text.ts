import { EventPatternEngine } from '../../patterns';

/** What the engine puts before a JSON syntax error of a pattern given as text. */
const INVALID_JSON = 'Invalid JSON: ';

/** JSON.parse, with the position, line and column of a syntax error in the message. */
export function parseJsonText(text: string, what: string): any {
  try {
    return JSON.parse(text);
  } catch (e) {
    let detail = (e as Error).message;
    // The engine's strict parser reports where the text goes wrong: it is the first problem of a pattern given as
    // text that is not JSON (read through the engine's public API, docs/ARCHITECTURE.md).
    const first = EventPatternEngine.validate(text)[0];
    if (first !== undefined && first.path === '' && first.message.startsWith(INVALID_JSON)) {
      detail = first.message.slice(INVALID_JSON.length);
    }
    throw new Error(`${what} is not valid JSON: ${detail}`);
  }
}
