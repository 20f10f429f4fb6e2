import { aws_events as events } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EventContract } from '../../core/event-contract';
import { ReliableDeliveryOptions } from '../../core/reliable-route';
import { ISchemaRegistry, SchemaRegistry } from '../../core/schema-registry';
import { SecureEventBus } from '../../core/secure-event-bus';
import type { ContractData } from '../contract-data';

/** The bus a blueprint uses: the user's, or a new `SecureEventBus` whose alarms follow the blueprint's. */
export function blueprintEventBus(scope: Construct, eventBus: events.IEventBus | undefined, delivery: ReliableDeliveryOptions): events.IEventBus {
  return eventBus ?? new SecureEventBus(scope, 'EventBus', { alarms: delivery.alarms, alarmActions: delivery.alarmActions });
}

/** The registry a blueprint publishes its contracts in: the user's, or a new one. */
export function blueprintRegistry(scope: Construct, registry: ISchemaRegistry | undefined, description?: string): ISchemaRegistry {
  return registry ?? new SchemaRegistry(scope, 'Registry', description !== undefined ? { description } : {});
}

/** Publishes one event of a blueprint's contract module in `registry`, with the given `source`. */
export function publishContract(scope: Construct, id: string, registry: ISchemaRegistry, source: string, data: ContractData): EventContract {
  return new EventContract(scope, id, {
    registry,
    source,
    detailType: data.detailType,
    description: data.description,
    detailSchema: data.detailSchema,
  });
}
