import {
  Resource,
  Token,
  aws_events as events,
  aws_eventschemas as eventschemas,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { descriptionProblems } from '../private/schema-validation';

/**
 * Properties for a `SchemaDiscoverer`.
 */
export interface SchemaDiscovererProps {
  /**
   * The event bus whose events are sampled to infer schemas.
   *
   * Must not be encrypted with a customer managed KMS key: EventBridge does not support schema
   * discovery on such buses, and the construct refuses them at synth time.
   */
  readonly eventBus: events.IEventBus;

  /**
   * Whether to also infer schemas from events sent to the bus from other accounts.
   *
   * @default true
   */
  readonly crossAccount?: boolean;

  /**
   * A description of the discoverer, at most 256 characters.
   *
   * @default - no description
   */
  readonly description?: string;
}

/**
 * Schema discovery on an event bus: EventBridge infers a schema for every distinct event shape
 * it sees on the bus and stores it in the `discovered-schemas` registry.
 *
 * Discovery is billed per ingested event beyond a monthly free tier. It is not supported on
 * event buses encrypted with a customer managed key; this construct detects such buses when it
 * can (a bus exposing an `encryptionKey`, or an `AWS::Events::EventBus` with `KmsKeyIdentifier`)
 * and throws. For imported buses the encryption is unknown and deployment fails if the bus uses
 * a customer managed key.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-schemas-infer.html
 * @resource AWS::EventSchemas::Discoverer
 */
export class SchemaDiscoverer extends Resource {
  /**
   * Whether the bus is known to be encrypted with a customer managed KMS key.
   *
   * `true` when the bus object has a defined `encryptionKey` property (the way this library's
   * buses expose their key), or when its default child is an `AWS::Events::EventBus` with a
   * `KmsKeyIdentifier` (an `events.EventBus` created with `kmsKey`). `false` otherwise,
   * including for imported buses, whose encryption cannot be known at synth time.
   *
   * @param eventBus the bus to inspect
   */
  public static usesCustomerManagedKey(eventBus: events.IEventBus): boolean {
    if ((eventBus as any).encryptionKey !== undefined) {
      return true;
    }
    const defaultChild = eventBus.node.defaultChild;
    return defaultChild instanceof events.CfnEventBus && defaultChild.kmsKeyIdentifier !== undefined;
  }

  /**
   * The ARN of the discoverer.
   *
   * @attribute
   */
  public readonly discovererArn: string;

  /**
   * The ID of the discoverer.
   *
   * @attribute
   */
  public readonly discovererId: string;

  /**
   * The bus being discovered.
   */
  public readonly eventBus: events.IEventBus;

  /**
   * The underlying CloudFormation discoverer.
   */
  public readonly cfnDiscoverer: eventschemas.CfnDiscoverer;

  constructor(scope: Construct, id: string, props: SchemaDiscovererProps) {
    super(scope, id);

    if (SchemaDiscoverer.usesCustomerManagedKey(props.eventBus)) {
      throw new Error(
        `SchemaDiscoverer '${this.node.path}': eventBus '${props.eventBus.node.path}' is encrypted with a customer managed KMS key, `
        + 'and EventBridge does not support schema discovery on such buses (CreateDiscoverer fails). '
        + 'Use a bus encrypted with an AWS owned key, or define the schemas yourself with EventSchema or EventContract.',
      );
    }
    if (props.description !== undefined && !Token.isUnresolved(props.description)) {
      const problems = descriptionProblems(props.description);
      if (problems.length > 0) {
        throw new Error(`SchemaDiscoverer '${this.node.path}': description ${problems.join('; ')}`);
      }
    }

    this.eventBus = props.eventBus;
    this.cfnDiscoverer = this.createResource(props);
    this.discovererArn = this.cfnDiscoverer.attrDiscovererArn;
    this.discovererId = this.cfnDiscoverer.attrDiscovererId;
  }

  /**
   * Create the L1 discoverer. Override to customize it.
   *
   * @param props the construct's props
   */
  protected createResource(props: SchemaDiscovererProps): eventschemas.CfnDiscoverer {
    return new eventschemas.CfnDiscoverer(this, 'Resource', {
      sourceArn: props.eventBus.eventBusArn,
      crossAccount: props.crossAccount ?? true,
      description: props.description,
    });
  }
}
