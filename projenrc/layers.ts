/**
 * The layer map of docs/ARCHITECTURE.md as `import/no-restricted-paths` zones (eslint-plugin-import): one zone per
 * forbidden import direction, each with a message that names the rule and points to the document. Paths are relative
 * to the repository root (eslint runs there); globs are minimatch patterns.
 */

/** One `import/no-restricted-paths` zone. */
export interface LayerZone {
  readonly target: string | string[];
  readonly from: string | string[];
  readonly except?: string[];
  readonly message: string;
}

const SEE = 'see docs/ARCHITECTURE.md, "Import directions"';

/**
 * The top-level folders of src/ that ship code, one layer each. `src/custom-bus` and `src/pattern-matching` are the
 * deprecated TypeScript-only re-export paths left by the move into `src/core` and `src/patterns` (rule 8).
 */
const PRODUCTION = ['./src/core', './src/blueprints', './src/runtime', './src/patterns', './src/private'];
const DEPRECATED_PATHS = ['./src/custom-bus', './src/pattern-matching'];

/** Every layer but `skip`, as zone targets. */
function allBut(...skip: string[]): string[] {
  return [...PRODUCTION, './src/testing', './src/index.ts'].filter((t) => !skip.includes(t));
}

/** The zones, in the order of the rules in docs/ARCHITECTURE.md. */
export function layerZones(): LayerZone[] {
  return [
    {
      target: [...PRODUCTION, ...DEPRECATED_PATHS],
      from: './src/testing',
      message: `layer rule 1 (production code never imports src/testing: the testing layer is test tooling); ${SEE}`,
    },
    {
      target: './src/patterns',
      from: './src',
      except: ['./patterns'],
      message: `layer rule 2 (src/patterns, the pattern engine, is pure: it imports nothing else from src/); ${SEE}`,
    },
    {
      target: './src/private',
      from: ['./src/core', './src/blueprints', './src/runtime'],
      message: `layer rule 3 (src/private, the shared private code, imports no layer above it; only src/patterns' public API); ${SEE}`,
    },
    {
      target: allBut('./src/patterns'),
      from: './src/patterns/private',
      message: `layer rule 4 (no layer imports another layer's private/: use src/patterns' public API); ${SEE}`,
    },
    {
      target: allBut('./src/core'),
      from: './src/core/private',
      message: `layer rule 4 (no layer imports another layer's private/: shared code goes to src/private); ${SEE}`,
    },
    {
      target: ['./src/core', './src/runtime', './src/patterns', './src/private', './src/testing'],
      from: './src/blueprints',
      message: `layer rule 5 (only src/index.ts imports src/blueprints: core, private and testing sit below it); ${SEE}`,
    },
    {
      target: ['./src/blueprints/*.ts', './src/blueprints/!(runtime-shared)/*.ts', './src/blueprints/*/private/**'],
      from: ['./src/blueprints/runtime-shared/**', './src/blueprints/*/runtime/**'],
      message: `layer rule 6 (construct code never imports Lambda handler code: handlers are bundled by esbuild, not compiled by jsii); ${SEE}`,
    },
    {
      target: './src/runtime',
      from: './src',
      except: ['./runtime'],
      message: `layer rule 7 (src/runtime/publisher.ts, bundled into every handler, imports nothing else from src/); ${SEE}`,
    },
    {
      target: allBut(),
      from: DEPRECATED_PATHS,
      message: `layer rule 8 (src/custom-bus and src/pattern-matching are deprecated re-exports for users: import src/core or src/patterns); ${SEE}`,
    },
  ];
}
