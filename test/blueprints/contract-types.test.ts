import { readFileSync } from 'fs';
import { join, resolve } from 'path';
import * as ts from 'typescript';
import { contractModules, generateAll, renderContractModule } from '../../projenrc/contract-types';

/**
 * The handlers' types come from the contracts (projenrc/contract-types.ts, `npx projen gen:contract-types`):
 * - the committed src/blueprints/<name>/runtime/contract.generated.ts are what the contracts generate now, so a
 *   contract changed without regenerating fails here (and CI's clean-tree check after the build);
 * - a contract that drops or renames a field a handler reads, or a field a handler publishes, makes the handler stop
 *   type-checking: the handlers are compiled in memory against types generated from contracts with one field renamed,
 *   and each must fail with an error naming that field.
 */

const ROOT = join(__dirname, '..', '..');

describe('the committed generated types', () => {
  const generated = generateAll(ROOT);

  test('every blueprint with a contract has them', () => {
    expect([...generated.keys()].map((m) => m.contract)).toEqual([
      'src/blueprints/booking-fan-out/contract.ts',
      'src/blueprints/error-to-ticket/contract.ts',
      'src/blueprints/iot-devices/contract.ts',
      'src/blueprints/market-data/contract.ts',
      'src/blueprints/order-to-inventory/contract.ts',
      'src/blueprints/photo-upload/contract.ts',
      'src/blueprints/saas-crm/contract.ts',
    ]);
  });

  test.each([...generated].map(([module, source]) => [module.generated, source]))(
    '%s is what its contract generates (run `npx projen gen:contract-types`)', (file, source) => {
      expect(readFileSync(join(ROOT, file), 'utf8')).toEqual(source);
    });
});

/** One field of one contract export renamed, and where a handler must then stop compiling. */
interface Disagreement {
  readonly blueprint: string;
  /** The export, and for `*_SCHEMAS` the key: `CONSUMER_INPUT_SCHEMAS.loyalty`. */
  readonly schema: string;
  readonly field: string;
  /** The handler files (under runtime/) that read or write the field. */
  readonly handlers: string[];
}

const DISAGREEMENTS: Disagreement[] = [
  // What the handlers read.
  { blueprint: 'order-to-inventory', schema: 'ORDER_PLACED', field: 'orderId', handlers: ['order-items.ts'] },
  { blueprint: 'market-data', schema: 'MARKET_TICK', field: 'price', handlers: ['ticks.ts'] },
  { blueprint: 'error-to-ticket', schema: 'ERROR_REPORTED', field: 'errorType', handlers: ['fingerprint.ts'] },
  { blueprint: 'error-to-ticket', schema: 'ALARM_STATE_CHANGE_DETAIL_SCHEMA', field: 'previousState', handlers: ['fingerprint.ts'] },
  { blueprint: 'booking-fan-out', schema: 'CONSUMER_INPUT_SCHEMAS.loyalty', field: 'fareAmount', handlers: ['booking.ts', 'award-loyalty-points.lambda.ts'] },
  { blueprint: 'booking-fan-out', schema: 'CONSUMER_INPUT_SCHEMAS.confirmationEmail', field: 'name', handlers: ['booking.ts'] },
  { blueprint: 'photo-upload', schema: 'UPLOAD_INPUT_SCHEMA', field: 'sequencer', handlers: ['upload.ts'] },
  { blueprint: 'saas-crm', schema: 'LEAD_UPDATED', field: 'leadId', handlers: ['receive-webhook.lambda.ts'] },
  // What the handlers publish.
  { blueprint: 'order-to-inventory', schema: 'INVENTORY_SHORTAGE', field: 'shortages', handlers: ['reserve-inventory.lambda.ts'] },
  { blueprint: 'market-data', schema: 'ALGORITHM_PARAMETERS_UPDATED', field: 'vwap', handlers: ['update-parameters.lambda.ts'] },
  { blueprint: 'booking-fan-out', schema: 'TICKETS_ISSUED', field: 'tickets', handlers: ['issue-ticket.lambda.ts'] },
  { blueprint: 'iot-devices', schema: 'DEVICE_HEARTBEAT_MISSED', field: 'detectedAt', handlers: ['check-heartbeats.lambda.ts'] },
];

/**
 * A copy of `schema` whose top-level property `field` is called `<field>Renamed` (in `properties` and `required`);
 * the property schemas themselves are the same objects, so shared sub-schemas keep their generated names.
 */
function renameField(schema: Record<string, any>, field: string): Record<string, any> {
  if (!Object.keys(schema.properties).includes(field)) throw new Error(`the schema has no property ${field} to rename: update DISAGREEMENTS`);
  const properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k === field ? `${field}Renamed` : k, v]));
  const required = (schema.required ?? []).map((r: string) => (r === field ? `${field}Renamed` : r));
  return { ...schema, properties, required };
}

/** The exports of a contract module with one field of one schema renamed. */
function withRenamedField(exports: Record<string, any>, path: string, field: string): Record<string, any> {
  const [name, key] = path.split('.');
  const value = exports[name];
  if (key !== undefined) return { ...exports, [name]: { ...value, [key]: renameField(value[key], field) } };
  if (value.detailSchema !== undefined) return { ...exports, [name]: { ...value, detailSchema: renameField(value.detailSchema, field) } };
  return { ...exports, [name]: renameField(value, field) };
}

const sourceFiles = new Map<string, ts.SourceFile>();

/**
 * Type-checks every handler file (src/blueprints/<name>/runtime/, runtime-shared/) with the compiler options of
 * src/blueprints/tsconfig.json, reading the given generated files from memory; returns the errors by file.
 */
function handlerErrors(generatedOverrides: ReadonlyMap<string, string>): Map<string, string[]> {
  const configPath = join(ROOT, 'src/blueprints/tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  })!;
  const rootNames = config.fileNames.filter((f) => /\/src\/blueprints\/([^/]+\/runtime|runtime-shared)\//.test(f));
  const host = ts.createCompilerHost(config.options);
  host.getSourceFile = (fileName, languageVersion) => {
    const override = generatedOverrides.get(resolve(fileName));
    if (override !== undefined) return ts.createSourceFile(fileName, override, languageVersion);
    let file = sourceFiles.get(fileName);
    if (file === undefined) {
      const text = ts.sys.readFile(fileName);
      if (text === undefined) return undefined;
      file = ts.createSourceFile(fileName, text, languageVersion);
      sourceFiles.set(fileName, file);
    }
    return file;
  };
  const program = ts.createProgram({ rootNames, options: { ...config.options, noEmit: true }, host });
  const errors = new Map<string, string[]>();
  for (const d of [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics(), ...program.getGlobalDiagnostics()]) {
    const file = d.file ? d.file.fileName.slice(ROOT.length + 1) : '(global)';
    errors.set(file, [...(errors.get(file) ?? []), ts.flattenDiagnosticMessageText(d.messageText, '\n')]);
  }
  return errors;
}

test('the handlers type-check against the types the contracts generate now (whether or not the files were regenerated)', () => {
  const fresh = new Map([...generateAll(ROOT)].map(([module, source]) => [resolve(ROOT, module.generated), source]));
  expect(Object.fromEntries(handlerErrors(fresh))).toEqual({});
});

describe('a contract that disagrees with its handler', () => {
  let disagreeing: Map<string, string[]>;

  beforeAll(() => {
    // All renames at once (one compilation): each handler's own error names its own field.
    const overrides = new Map<string, string>();
    for (const module of contractModules(ROOT)) {
      const renames = DISAGREEMENTS.filter((d) => module.contract === `src/blueprints/${d.blueprint}/contract.ts`);
      if (renames.length === 0) continue;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      let exports: Record<string, any> = require(join(ROOT, module.contract));
      for (const d of renames) exports = withRenamedField(exports, d.schema, d.field);
      overrides.set(resolve(ROOT, module.generated), renderContractModule(exports, module.contract));
    }
    disagreeing = handlerErrors(overrides);
  });

  test('every blueprint with handlers has a case', () => {
    expect(new Set(DISAGREEMENTS.map((d) => d.blueprint))).toEqual(new Set(contractModules(ROOT).map((m) => m.contract.split('/')[2])));
  });

  test.each(DISAGREEMENTS.flatMap((d) => d.handlers.map((handler) => [d.blueprint, d.schema, d.field, handler])))(
    '%s: %s without %s fails to type-check %s, naming the field', (blueprint, _schema, field, handler) => {
      const errors = disagreeing.get(`src/blueprints/${blueprint}/runtime/${handler}`) ?? [];
      expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`'${field}'`))]));
    });

  test('only the handlers reading or writing a renamed field fail', () => {
    const expected = new Set(DISAGREEMENTS.flatMap((d) => d.handlers.map((h) => `src/blueprints/${d.blueprint}/runtime/${h}`)));
    expect([...disagreeing.keys()].filter((file) => !expected.has(file))).toEqual([]);
  });
});
