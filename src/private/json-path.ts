/**
 * The JSON path subset of EventBridge's `InputPath` and `InputPathsMap`, parsed: `$`, dot notation, array indices,
 * quoted names and the wildcards `.*` and `[*]`. Pure TypeScript, shared by the offline input transformer
 * (`testing/input-transformer.ts`) and the Custom Event Bus's migration of input transformers to JSONata
 * (`core/private/input-to-jsonata.ts`).
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */

export type Segment = { kind: 'name'; name: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };

/** Parses `$.a.b[0]['c'][*]`; throws on anything else. */
export function parsePath(path: string): Segment[] {
  if (typeof path !== 'string' || !path.startsWith('$')) {
    throw new Error(`JSON path must start with "$", got ${JSON.stringify(path)}`);
  }
  const segments: Segment[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      let j = i + 1;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') {
        j++;
      }
      const name = path.slice(i + 1, j);
      if (name.length === 0) {
        throw new Error(`JSON path ${JSON.stringify(path)}: empty name at position ${i + 1}`);
      }
      segments.push(name === '*' ? { kind: 'wildcard' } : { kind: 'name', name });
      i = j;
    } else if (c === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) {
        throw new Error(`JSON path ${JSON.stringify(path)}: "[" at position ${i} is not closed`);
      }
      const inner = path.slice(i + 1, close).trim();
      if (inner === '*') {
        segments.push({ kind: 'wildcard' });
      } else if (/^\d+$/.test(inner)) {
        segments.push({ kind: 'index', index: Number(inner) });
      } else if (/^'[^']*'$/.test(inner) || /^"[^"]*"$/.test(inner)) {
        segments.push({ kind: 'name', name: inner.slice(1, -1) });
      } else {
        throw new Error(`JSON path ${JSON.stringify(path)}: unsupported selector [${inner}] (EventBridge supports array indices and names)`);
      }
      i = close + 1;
    } else {
      throw new Error(`JSON path ${JSON.stringify(path)}: unexpected character ${JSON.stringify(c)} at position ${i}`);
    }
  }
  return segments;
}
