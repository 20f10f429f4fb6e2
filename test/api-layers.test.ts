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
