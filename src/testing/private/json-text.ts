import { parseJson } from '../../pattern-matching/private/json-text';

/** JSON.parse, with the position, line and column of a syntax error in the message. */
export function parseJsonText(text: string, what: string): any {
  try {
    return JSON.parse(text);
  } catch (e) {
    let detail = (e as Error).message;
    try {
      parseJson(text); // the strict parser reports where the text goes wrong
    } catch (strict) {
      detail = (strict as Error).message;
    }
    throw new Error(`${what} is not valid JSON: ${detail}`);
  }
}
