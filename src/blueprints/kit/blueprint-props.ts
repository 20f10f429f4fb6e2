import { RemovalPolicy, aws_events as events } from 'aws-cdk-lib';
import { ReliableDeliveryOptions } from '../../core/reliable-route';
import { ISchemaRegistry } from '../../core/schema-registry';

/**
 * The event bus of a blueprint: the one home of the `eventBus` prop that most blueprints share.
 */
export interface BlueprintEventBusProps {
  /**
   * The bus the blueprint's input events arrive on and its output events are sent to (the blueprint's README
   * section names them). Give your own bus to share it with other blueprints and applications.
   *
   * @default - a new `SecureEventBus` (archive, alarms, dead-letter queue)
   */
  readonly eventBus?: events.IEventBus;
}

/**
 * The schema registry of a blueprint: the one home of the `registry` prop that most blueprints share.
 */
export interface BlueprintRegistryProps {
  /**
   * The schema registry in which the blueprint publishes the contracts (JSON Schema) of the events it consumes and
   * emits, so that producers and consumers can find and validate them.
   *
   * @default - a new `SchemaRegistry`
   */
  readonly registry?: ISchemaRegistry;
}

/**
 * The removal policy of a blueprint's stateful resources: the one home of the `removalPolicy` prop that most
 * blueprints share.
 */
export interface BlueprintRemovalPolicyProps {
  /**
   * What happens to the stateful resources the blueprint creates (its tables, buckets, streams, log groups and
   * keys) when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The props every blueprint with a bus, a registry and stateful resources shares: delivery options of its routes
 * (retries, maximum event age, alarms), `eventBus`, `registry` and `removalPolicy`. A blueprint's own props extend
 * it (or the parts of it that apply to the blueprint).
 */
export interface BlueprintBaseProps extends ReliableDeliveryOptions, BlueprintEventBusProps, BlueprintRegistryProps,
  BlueprintRemovalPolicyProps {}
