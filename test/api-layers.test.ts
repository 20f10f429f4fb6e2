import * as api from '../src';

describe('the public API reads in four layers (jsii submodules)', () => {
  test('the package root exports the four layers and nothing else', () => {
    expect(Object.keys(api).sort()).toEqual(['blueprints', 'core', 'patterns', 'testing']);
  });

  test.each([
    ['core', ['SecureEventBus', 'ReliableRoute', 'CentralEventBus', 'EventSpoke', 'SchemaRegistry', 'EventContract', 'CustomEventBus', 'Subscriber']],
    ['blueprints', [
      'BlueprintFunction', 'IngestionPipe', 'ApiDestinationTarget', 'ErrorToTicket', 'CloudTrailAudit', 'OrderToInventory', 'BookingFanOut',
      'SaasCrmToMarketing', 'PhotoUpload', 'MarketData', 'IotDeviceManagement', 'OrderToInventoryStack',
    ]],
    ['patterns', ['EventPatternEngine', 'PatternRuleSet']],
    ['testing', ['EventRouter', 'CustomBusRouter', 'EventFlowDiagram', 'InputTransformation']],
  ])('%s holds its constructs', (layer, names) => {
    const exported = Object.keys((api as Record<string, object>)[layer]);
    expect(exported).toEqual(expect.arrayContaining(names));
  });

  test('no class is exported from two layers', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const [layer, members] of Object.entries(api)) {
      for (const name of Object.keys(members)) {
        if (seen.has(name)) twice.push(`${name} in ${seen.get(name)} and ${layer}`);
        seen.set(name, layer);
      }
    }
    expect(twice).toEqual([]);
  });
});

describe('the deprecated TypeScript deep-import paths left by the folder move (#20)', () => {
  test('lib/custom-bus still exports every Custom Event Bus symbol, the same objects as core', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const old = require('../src/custom-bus');
    const names = ['CustomEventBus', 'CustomEventBusAccess', 'Subscriber', 'SubscriberTarget', 'RouteMigration'];
    expect(Object.keys(old)).toEqual(expect.arrayContaining(names));
    for (const name of Object.keys(old)) expect(old[name]).toBe((api.core as Record<string, unknown>)[name]);
  });

  test('lib/pattern-matching still exports the engine, the same objects as patterns', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const old = require('../src/pattern-matching');
    expect(Object.keys(old).sort()).toEqual(Object.keys(api.patterns).sort());
    for (const name of Object.keys(old)) expect(old[name]).toBe((api.patterns as Record<string, unknown>)[name]);
  });
});
