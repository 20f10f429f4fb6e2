import { readFileSync } from 'fs';
import { join } from 'path';
import { loadESLint } from 'eslint';
import { layerZones } from '../projenrc/layers';

/**
 * The layer map of docs/ARCHITECTURE.md is enforced by `import/no-restricted-paths` in the committed .eslintrc.json
 * (written by projen from projenrc/layers.ts). Each case lints a small in-memory file placed inside a zone's target
 * and expects the zone's message, so that a forbidden import fails `npm run eslint`.
 */

const ROOT = join(__dirname, '..');
const RULE = 'import/no-restricted-paths';

function committedConfig(): any {
  const text = readFileSync(join(ROOT, '.eslintrc.json'), 'utf8');
  return JSON.parse(text.replace(/^\/\/.*$/gm, ''));
}

/** Lints `source` as if it were the file at `path` (relative to the repository), with the committed zones only. */
async function restrictedPathMessages(path: string, source: string): Promise<string[]> {
  const config = committedConfig();
  const LegacyESLint = await loadESLint({ useFlatConfig: false });
  const eslint = new LegacyESLint({
    cwd: ROOT,
    useEslintrc: false,
    overrideConfig: {
      root: true,
      parser: config.parser,
      parserOptions: { ecmaVersion: 2018, sourceType: 'module' },
      plugins: ['import'],
      settings: config.settings,
      rules: { [RULE]: config.rules[RULE] },
    },
  } as any);
  const [result] = await eslint.lintText(source, { filePath: join(ROOT, path) });
  expect(result.messages.filter((m) => m.ruleId !== RULE)).toEqual([]); // parse errors would hide the rule
  return result.messages.map((m) => m.message);
}

test('the committed .eslintrc.json has the zones of projenrc/layers.ts (npx projen has run)', () => {
  expect(committedConfig().rules[RULE]).toEqual(['error', { zones: layerZones() }]);
});

test('every zone names its rule and points to docs/ARCHITECTURE.md', () => {
  for (const zone of layerZones()) {
    expect(zone.message).toMatch(/^layer rule \d \(.+\); see docs\/ARCHITECTURE\.md/);
  }
});

test.each([
  ['src/core/probe.ts', "import { EventRouter } from '../testing';", 'layer rule 1'],
  ['src/core/private/probe.ts', "import { parsePath } from '../../testing/input-transformer';", 'layer rule 1'],
  ['src/private/probe.ts', "import { EventRouter } from '../testing/event-router';", 'layer rule 1'],
  ['src/custom-bus/probe.ts', "import { EventRouter } from '../testing';", 'layer rule 1'],
  ['src/patterns/private/probe.ts', "import { propError } from '../../private/errors';", 'layer rule 2'],
  ['src/patterns/probe.ts', "import { CustomEventBus } from '../core';", 'layer rule 2'],
  ['src/private/probe.ts', "import { ReliableRoute } from '../core/reliable-route';", 'layer rule 3'],
  ['src/private/probe.ts', "import { CustomEventBus } from '../core/custom-event-bus';", 'layer rule 3'],
  ['src/testing/private/probe.ts', "import { parseJson } from '../../patterns/private/json-text';", 'layer rule 4'],
  ['src/private/probe.ts', "import { compileOrThrow } from '../patterns/private/prepare';", 'layer rule 4'],
  ['src/testing/probe.ts', "import { cfnEventBus } from '../core/private/cfn-eventsv2';", 'layer rule 4'],
  ['src/core/probe.ts', "import { OrderToInventory } from '../blueprints/order-to-inventory';", 'layer rule 5'],
  ['src/testing/probe.ts', "import { BlueprintFunction } from '../blueprints/kit/blueprint-function';", 'layer rule 5'],
  ['src/blueprints/kit/probe.ts', "import { blueprintHandler } from '../runtime-shared/handler';", 'layer rule 6'],
  ['src/blueprints/order-to-inventory/probe.ts', "import * as h from './runtime/reserve-inventory.lambda';", 'layer rule 6'],
  ['src/runtime/probe.ts', "import { propError } from '../private/errors';", 'layer rule 7'],
  ['src/testing/probe.ts', "import { CustomEventBus } from '../custom-bus';", 'layer rule 8'],
  ['src/private/probe.ts', "import { EventPatternEngine } from '../pattern-matching';", 'layer rule 8'],
])('%s: %s fails lint with %s', async (path, source, rule) => {
  const messages = await restrictedPathMessages(path, source);
  expect(messages).toEqual([expect.stringMatching(new RegExp(`imported in restricted zone\\. ${rule} \\(.*see docs/ARCHITECTURE\\.md`))]);
});

test.each([
  ['src/private/probe.ts', "import { EventPatternEngine } from '../patterns';"],
  ['src/testing/probe.ts', "import { compileFilter } from '../private/subscriber-filter-rules';"],
  ['src/core/probe.ts', "import { cfnEventBus } from './private/cfn-eventsv2';"],
  ['src/core/probe.ts', "import { ReliableRoute } from './reliable-route';"],
  ['src/custom-bus/probe.ts', "import { CustomEventBus } from '../core/custom-event-bus';"],
  ['src/blueprints/order-to-inventory/runtime/probe.ts', "import { blueprintHandler } from '../../runtime-shared/handler';"],
  ['src/blueprints/shared-constructs/probe.ts', "import { ReliableRoute } from '../../core/reliable-route';"],
])('%s: %s is allowed', async (path, source) => {
  expect(await restrictedPathMessages(path, source)).toEqual([]);
});
