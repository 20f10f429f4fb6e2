/**
 * The Custom Event Bus resources (`AWS::EventsV2::EventBus`, `::Subscriber`, `::ResourcePolicy`) written as plain
 * `CfnResource`s. aws-cdk-lib's `aws_eventsv2` L1 classes exist only from 2.264.0 on, and the library supports older
 * releases (its peer floor), so it renders the CloudFormation properties itself.
 *
 * Every object is built in the order the generated L1 classes render theirs (property names in alphabetical order,
 * maps as given), so the templates are the same byte for byte as with the L1 classes.
 */
import { CfnResource, ITaggableV2, TagManager, TagType, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type {
  SubscriberEventBusV2Parameters,
  SubscriberHttpParameters,
  SubscriberMessageAttributeValue,
  SubscriberTargetConfig,
} from '../subscriber-target';

type CfnProperties = { [name: string]: any };

/** An `AWS::EventsV2::*` resource whose properties (PascalCase, as in the template) are given as they are. */
class CfnEventsV2Resource extends CfnResource {
  constructor(scope: Construct, id: string, type: string, private readonly properties: CfnProperties) {
    super(scope, id, { type });
  }

  /** The properties, with the tags in their alphabetical place (the L1 classes render them there). */
  protected get cfnProperties(): CfnProperties {
    const tags = TagManager.of(this)?.renderTags() as Array<{ key: string; value: string }> | undefined;
    if (tags === undefined) {
      return this.properties;
    }
    const withTags: CfnProperties = { ...this.properties, Tags: tags.map((tag) => ({ Key: tag.key, Value: tag.value })) };
    return Object.fromEntries(Object.keys(withTags).sort().map((key) => [key, withTags[key]]));
  }
}

/** A taggable `AWS::EventsV2::*` resource (`Tags.of(...)` reaches it as it reaches the L1 classes). */
class TaggableCfnEventsV2Resource extends CfnEventsV2Resource implements ITaggableV2 {
  public readonly cdkTagManager: TagManager;

  constructor(scope: Construct, id: string, type: string, properties: CfnProperties) {
    super(scope, id, type, properties);
    this.cdkTagManager = new TagManager(TagType.STANDARD, type, undefined, { tagPropertyName: 'tags' });
  }
}

/** An `AWS::EventsV2::EventBus`. */
export function cfnEventBus(scope: Construct, id: string, props: {
  readonly name: string;
  readonly description?: string;
  readonly kmsKeyIdentifier?: string;
  readonly retentionPeriodInDays: number;
}): CfnResource {
  return new TaggableCfnEventsV2Resource(scope, id, 'AWS::EventsV2::EventBus', {
    Description: props.description,
    EncryptionConfiguration: props.kmsKeyIdentifier === undefined ? undefined : { KmsKeyIdentifier: props.kmsKeyIdentifier },
    Name: props.name,
    StorageConfiguration: { RetentionPeriodInDays: props.retentionPeriodInDays },
  });
}

/** An `AWS::EventsV2::ResourcePolicy` (not taggable). */
export function cfnResourcePolicy(scope: Construct, id: string, eventBusArn: string, policyDocument: unknown): CfnResource {
  return new CfnEventsV2Resource(scope, id, 'AWS::EventsV2::ResourcePolicy', {
    EventBusArn: eventBusArn,
    PolicyDocument: policyDocument,
  });
}

/** The target parameter blocks of a subscriber's `InvokeConfiguration`, as our targets return them (camelCase). */
export type TargetParameters = Pick<SubscriberTargetConfig, 'lambdaParameters' | 'sqsParameters' | 'snsParameters'
| 'kinesisParameters' | 'stepFunctionsParameters' | 'httpParameters' | 'eventBusV2Parameters'>;

/** The properties of an `AWS::EventsV2::Subscriber` (camelCase, as the L1 class took them). */
export interface SubscriberProperties {
  readonly batchConfiguration?: { readonly maxBatchSize?: number; readonly maxBatchWindowInSeconds?: number };
  readonly description?: string;
  readonly eventBusArn: string;
  readonly filterConfiguration?: { readonly filters: Array<{ readonly pattern: string; readonly scope: string }> };
  readonly invokeConfiguration: TargetParameters & { readonly roleArn: string; readonly targetArn: string };
  readonly logConfiguration?: { readonly level: string };
  readonly name: string;
  readonly onFailureConfiguration: { readonly arn: string };
  readonly pointInTimeConfiguration?: { readonly endPoint?: number; readonly pointType: string; readonly startingPoint?: number };
  readonly retryPolicy: { readonly maxEventAgeInSeconds: number; readonly maxRetryAttempts: number };
  readonly startingPosition?: string;
  readonly state?: string;
  readonly transformer?: { readonly jsonataConfiguration?: { readonly expression: string }; readonly type: string };
  readonly type: string;
}

/** An `AWS::EventsV2::Subscriber` with the given CloudFormation properties (PascalCase, as in the template). */
export function cfnSubscriber(scope: Construct, id: string, properties: CfnProperties): CfnResource {
  return new TaggableCfnEventsV2Resource(scope, id, 'AWS::EventsV2::Subscriber', properties);
}

/** The CloudFormation properties of an `AWS::EventsV2::Subscriber`, in the order the L1 class renders them. */
export function subscriberCfnProperties(props: SubscriberProperties): CfnProperties {
  const invoke = props.invokeConfiguration;
  return {
    BatchConfiguration: props.batchConfiguration === undefined ? undefined : {
      MaxBatchSize: props.batchConfiguration.maxBatchSize,
      MaxBatchWindowInSeconds: props.batchConfiguration.maxBatchWindowInSeconds,
    },
    Description: props.description,
    EventBusArn: props.eventBusArn,
    FilterConfiguration: props.filterConfiguration === undefined ? undefined : {
      Filters: props.filterConfiguration.filters.map((filter) => ({ Pattern: filter.pattern, Scope: filter.scope })),
    },
    InvokeConfiguration: {
      EventBusV2Parameters: eventBusV2Parameters(invoke.eventBusV2Parameters),
      HttpParameters: httpParameters(invoke.httpParameters),
      KinesisParameters: invoke.kinesisParameters === undefined ? undefined : {
        ExplicitHashKey: invoke.kinesisParameters.explicitHashKey,
        PartitionKey: invoke.kinesisParameters.partitionKey,
      },
      LambdaParameters: invoke.lambdaParameters === undefined ? undefined : {
        DurableExecutionName: invoke.lambdaParameters.durableExecutionName,
        InvocationTimeoutSeconds: invoke.lambdaParameters.invocationTimeoutSeconds,
        InvocationType: invoke.lambdaParameters.invocationType,
        Qualifier: invoke.lambdaParameters.qualifier,
        TenantId: invoke.lambdaParameters.tenantId,
      },
      RoleArn: invoke.roleArn,
      SnsParameters: invoke.snsParameters === undefined ? undefined : {
        MessageAttributes: messageAttributes(invoke.snsParameters.messageAttributes),
        MessageDeduplicationId: invoke.snsParameters.messageDeduplicationId,
        MessageGroupId: invoke.snsParameters.messageGroupId,
        MessageStructure: invoke.snsParameters.messageStructure,
        Subject: invoke.snsParameters.subject,
      },
      SqsParameters: invoke.sqsParameters === undefined ? undefined : {
        DelaySeconds: invoke.sqsParameters.delaySeconds,
        MessageAttributes: messageAttributes(invoke.sqsParameters.messageAttributes),
        MessageDeduplicationId: invoke.sqsParameters.messageDeduplicationId,
        MessageGroupId: invoke.sqsParameters.messageGroupId,
        MessageSystemAttributes: messageAttributes(invoke.sqsParameters.messageSystemAttributes),
      },
      StepFunctionsParameters: invoke.stepFunctionsParameters === undefined ? undefined : {
        InvocationTimeoutSeconds: invoke.stepFunctionsParameters.invocationTimeoutSeconds,
        InvocationType: invoke.stepFunctionsParameters.invocationType,
        Name: invoke.stepFunctionsParameters.name,
        TraceHeader: invoke.stepFunctionsParameters.traceHeader,
      },
      TargetArn: invoke.targetArn,
    },
    LogConfiguration: props.logConfiguration === undefined ? undefined : { Level: props.logConfiguration.level },
    Name: props.name,
    OnFailureConfiguration: { Arn: props.onFailureConfiguration.arn },
    PointInTimeConfiguration: props.pointInTimeConfiguration === undefined ? undefined : {
      EndPoint: props.pointInTimeConfiguration.endPoint,
      PointType: props.pointInTimeConfiguration.pointType,
      StartingPoint: props.pointInTimeConfiguration.startingPoint,
    },
    RetryPolicy: {
      MaxEventAgeInSeconds: props.retryPolicy.maxEventAgeInSeconds,
      MaxRetryAttempts: props.retryPolicy.maxRetryAttempts,
    },
    StartingPosition: props.startingPosition,
    State: props.state,
    Transformer: props.transformer === undefined ? undefined : {
      JsonataConfiguration: props.transformer.jsonataConfiguration === undefined ? undefined : {
        Expression: props.transformer.jsonataConfiguration.expression,
      },
      Type: props.transformer.type,
    },
    Type: props.type,
  };
}

function eventBusV2Parameters(params: SubscriberEventBusV2Parameters | undefined): CfnProperties | undefined {
  if (params === undefined) {
    return undefined;
  }
  return {
    DeduplicationConfiguration: params.deduplicationConfiguration === undefined ? undefined : {
      DeduplicationType: params.deduplicationConfiguration.deduplicationType,
    },
    Metadata: params.metadata,
    SystemMetadata: params.systemMetadata === undefined ? undefined : {
      DeduplicationId: params.systemMetadata.deduplicationId,
      EventGroupId: params.systemMetadata.eventGroupId,
    },
  };
}

function httpParameters(params: SubscriberHttpParameters | undefined): CfnProperties | undefined {
  if (params === undefined) {
    return undefined;
  }
  return {
    HeaderParameters: params.headerParameters,
    InvocationTimeoutSeconds: params.invocationTimeoutSeconds,
    PathParameterValues: params.pathParameterValues,
    QueryStringParameters: params.queryStringParameters,
  };
}

function messageAttributes(attributes: { [name: string]: SubscriberMessageAttributeValue } | undefined): CfnProperties | undefined {
  if (attributes === undefined) {
    return undefined;
  }
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, {
    BinaryValue: value.binaryValue,
    DataType: value.dataType,
    StringValue: value.stringValue,
  }]));
}

/** An attribute of a resource (`Fn::GetAtt`), as a string, as the L1 classes' `attr...` properties return it. */
export function attribute(resource: CfnResource, name: string): string {
  return Token.asString(resource.getAtt(name));
}
