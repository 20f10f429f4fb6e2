import { App, Stack, aws_events as events } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { EventContract } from '../../src/core/event-contract';
import { EventSchema } from '../../src/core/event-schema';
import { SchemaDefinition } from '../../src/core/schema-definition';
import { SchemaDiscoverer } from '../../src/core/schema-discoverer';
import { SchemaRegistry } from '../../src/core/schema-registry';

describe('cdk-nag on the schema constructs with their defaults', () => {
  let stack: Stack;

  beforeAll(() => {
    stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const registry = new SchemaRegistry(stack, 'Registry');
    new EventSchema(stack, 'Draft4', { registry, definition: SchemaDefinition.jsonSchemaDraft4({ type: 'object' }) });
    registry.addSchema('OpenApi', {
      definition: SchemaDefinition.openApi3({
        openapi: '3.0.0',
        info: { title: 'E', version: '1.0.0' },
        paths: {},
        components: { schemas: { E: { type: 'object' } } },
      }),
    });
    new EventContract(stack, 'Contract', {
      registry,
      source: 'com.example.orders',
      detailType: 'Order Created',
      detailSchema: { type: 'object', properties: { orderId: { type: 'string' } } },
    });
    new SchemaDiscoverer(stack, 'Discoverer', { eventBus: new events.EventBus(stack, 'Bus') });
  });

  test('AwsSolutionsChecks reports no violations', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('ServerlessChecks reports no violations', () => {
    const report = new ServerlessChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
  });
});
