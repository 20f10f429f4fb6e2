import { RemovalPolicy, Token, aws_dynamodb as dynamodb } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { propError } from '../../private/errors';

/**
 * The key schema and TTL of a table a blueprint creates.
 */
export interface BlueprintTableSettings {
  readonly partitionKey: dynamodb.Attribute;
  readonly sortKey?: dynamodb.Attribute;
  /** The attribute holding the expiry (epoch seconds) of items the handler writes. */
  readonly timeToLiveAttribute?: string;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A DynamoDB table with the blueprints' defaults: on-demand capacity, point-in-time recovery, encryption with the
 * AWS managed key, kept when the stack is deleted unless told otherwise.
 */
export function createBlueprintTable(scope: Construct, id: string, settings: BlueprintTableSettings): dynamodb.Table {
  return new dynamodb.Table(scope, id, {
    partitionKey: settings.partitionKey,
    sortKey: settings.sortKey,
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    timeToLiveAttribute: settings.timeToLiveAttribute,
    removalPolicy: settings.removalPolicy ?? RemovalPolicy.RETAIN,
  });
}

/** The attribute Powertools idempotency stores the expiry of a record in (epoch seconds). */
const IDEMPOTENCY_TTL_ATTRIBUTE = 'expiration';

/** The actions Powertools idempotency (DynamoDBPersistenceLayer) calls on its table. */
export const IDEMPOTENCY_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

/**
 * A Powertools idempotency table: partition key `id` (S), TTL attribute `expiration`, with the blueprints' table
 * defaults.
 */
export function createIdempotencyTable(scope: Construct, id: string, removalPolicy?: RemovalPolicy): dynamodb.Table {
  return createBlueprintTable(scope, id, {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    timeToLiveAttribute: IDEMPOTENCY_TTL_ATTRIBUTE,
    removalPolicy,
  });
}

/**
 * Checks the key schema of a table given by the user, when it can be known: tables created in the same app
 * (`Table`) expose it; imported tables and `TableV2` do not, and are not checked.
 */
export function checkTableKeys(
  scope: Construct,
  constructType: string,
  prop: string,
  table: dynamodb.ITable,
  partitionKey: dynamodb.Attribute,
  sortKey?: dynamodb.Attribute,
): void {
  const schema = keySchemaOf(table);
  if (!schema) {
    return;
  }
  const describe = (a?: dynamodb.Attribute) => (a === undefined ? 'none' : `"${a.name}" (${a.type})`);
  const same = (a?: dynamodb.Attribute, b?: dynamodb.Attribute) => {
    if (a === undefined || b === undefined) {
      return a === b;
    }
    return (Token.isUnresolved(a.name) || a.name === b.name) && a.type === b.type;
  };
  if (!same(schema.partitionKey, partitionKey) || !same(schema.sortKey, sortKey)) {
    throw propError(scope, constructType, prop,
      `must have partition key ${describe(partitionKey)} and sort key ${describe(sortKey)}, `
      + `got partition key ${describe(schema.partitionKey)} and sort key ${describe(schema.sortKey)} (table ${table.node.path})`);
  }
}

function keySchemaOf(table: dynamodb.ITable): dynamodb.SchemaOptions | undefined {
  if (table instanceof dynamodb.Table) {
    try {
      const schema = table.schemaV2();
      // Composite (multi-attribute) keys never match a single expected attribute.
      if (schema.partitionKeys.length !== 1 || schema.sortKeys.length > 1) {
        return { partitionKey: { name: schema.partitionKeys.map((k) => k.name).join('+'), type: schema.partitionKeys[0]?.type ?? dynamodb.AttributeType.STRING }, sortKey: schema.sortKeys[0] };
      }
      return { partitionKey: schema.partitionKeys[0], sortKey: schema.sortKeys[0] };
    } catch {
      return undefined;
    }
  }
  return undefined;
}
