import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BookingFanOutProps } from '../../../src/blueprints/booking-fan-out';
import { CloudTrailAuditProps } from '../../../src/blueprints/cloudtrail-audit';
import { ErrorToTicketProps } from '../../../src/blueprints/error-to-ticket';
import { IotDeviceManagementProps } from '../../../src/blueprints/iot-devices';
import {
  BlueprintBaseProps, BlueprintEventBusProps, BlueprintRegistryProps, BlueprintRemovalPolicyProps,
} from '../../../src/blueprints/kit';
import { MarketDataProps } from '../../../src/blueprints/market-data';
import { OrderToInventory, OrderToInventoryProps } from '../../../src/blueprints/order-to-inventory';
import { PhotoUploadProps } from '../../../src/blueprints/photo-upload';
import { SaasCrmToMarketingProps } from '../../../src/blueprints/saas-crm';
import { SchemaRegistry } from '../../../src/core/schema-registry';
import { SecureEventBus } from '../../../src/core/secure-event-bus';

/** The props interfaces that extend the shared base: assigning a base value to each only compiles if it does. */
function extendsBase(base: BlueprintBaseProps): unknown[] {
  const asBus: BlueprintEventBusProps = base;
  const asRegistry: BlueprintRegistryProps = base;
  const asRemoval: BlueprintRemovalPolicyProps = base;
  const order: OrderToInventoryProps = base;
  const booking: Partial<BookingFanOutProps> = base;
  const market: MarketDataProps = base;
  const iot: Partial<IotDeviceManagementProps> = base;
  const photo: Partial<PhotoUploadProps> = asRegistry;
  const photoRemoval: Partial<PhotoUploadProps> = asRemoval;
  const ticket: Partial<ErrorToTicketProps> = { ...asBus, ...asRegistry };
  const trail: CloudTrailAuditProps = asRemoval;
  const crm: Partial<SaasCrmToMarketingProps> = asRemoval;
  return [order, booking, market, iot, photo, photoRemoval, ticket, trail, crm];
}

describe('BlueprintBaseProps: eventBus, registry and removalPolicy declared once', () => {
  test('one value of the base props configures a blueprint: its bus, its registry and its tables\' removal policy', () => {
    const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
    const base: BlueprintBaseProps = {
      eventBus: new SecureEventBus(stack, 'Bus'),
      registry: new SchemaRegistry(stack, 'Registry'),
      removalPolicy: RemovalPolicy.DESTROY,
      retryAttempts: 3,
    };
    expect(extendsBase(base)).toHaveLength(9);
    const blueprint = new OrderToInventory(stack, 'Inventory', base);
    expect(blueprint.eventBus).toBe(base.eventBus);
    const template = Template.fromStack(stack);
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
    expect(tables.length).toBeGreaterThan(0);
    expect(tables.map((t: any) => t.DeletionPolicy)).toEqual(tables.map(() => 'Delete'));
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    template.resourceCountIs('AWS::Events::EventBus', 1);
  });
});
