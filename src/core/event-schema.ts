import {
  ArnFormat,
  Fn,
  IResource,
  RemovalPolicy,
  Resource,
  Stack,
  Token,
  aws_eventschemas as eventschemas,
  aws_iam as iam,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SchemaDefinition, SchemaType } from './schema-definition';
import type { ISchemaRegistry } from './schema-registry';
import { assertNoProblems, show } from '../private/errors';
import { descriptionProblems, schemaNameProblems } from '../private/schema-validation';

/**
 * IAM actions that read one schema and its versions.
 */
const SCHEMA_READ_ACTIONS: string[] = [
  'schemas:DescribeSchema',
  'schemas:ListSchemaVersions',
  'schemas:ExportSchema',
  'schemas:DescribeCodeBinding',
  'schemas:GetCodeBindingSource',
];

/**
 * An EventBridge schema in a schema registry.
 */
export interface IEventSchema extends IResource {
  /**
   * The name of the schema.
   *
   * @attribute
   */
  readonly schemaName: string;

  /**
   * The ARN of the schema, `arn:aws:schemas:<region>:<account>:schema/<registry>/<name>`.
   *
   * @attribute
   */
  readonly schemaArn: string;

  /**
   * The version of the schema that this deployment created.
   *
   * EventBridge creates a new version each time the content changes.
   *
   * @default - unknown for imported schemas
   * @attribute
   */
  readonly schemaVersion?: string;

  /**
   * Grant read access to this schema and its versions (describe, list versions, export,
   * code bindings).
   *
   * @param grantee the principal to grant access to
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/**
 * Options for a schema, used by `ISchemaRegistry.addSchema`.
 */
export interface EventSchemaOptions {
  /**
   * The schema document and its format.
   */
  readonly definition: SchemaDefinition;

  /**
   * The name of the schema.
   *
   * 1-385 characters from letters, digits, `@`, `.`, `-` and `_`. EventBridge names the schemas
   * it discovers `<source>@<DetailType>`, e.g. `com.example.orders@OrderCreated`.
   *
   * @default - CloudFormation generates a unique name
   */
  readonly schemaName?: string;

  /**
   * A description of the schema, at most 256 characters.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * What happens to the schema when it is removed from the stack or the stack is deleted.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Properties for an `EventSchema`.
 */
export interface EventSchemaProps extends EventSchemaOptions {
  /**
   * The registry that holds the schema.
   */
  readonly registry: ISchemaRegistry;
}

function schemaArnFor(scope: Construct, registryName: string, schemaName: string): string {
  return Stack.of(scope).formatArn({
    service: 'schemas',
    resource: 'schema',
    resourceName: `${registryName}/${schemaName}`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

abstract class EventSchemaBase extends Resource implements IEventSchema {
  public abstract readonly schemaName: string;
  public abstract readonly schemaArn: string;
  public abstract readonly schemaVersion?: string;

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: SCHEMA_READ_ACTIONS,
      resourceArns: [this.schemaArn],
    });
  }
}

class ImportedEventSchema extends EventSchemaBase {
  public readonly schemaVersion?: string = undefined;

  constructor(
    scope: Construct,
    id: string,
    public readonly schemaName: string,
    public readonly schemaArn: string,
    env: { account?: string; region?: string },
  ) {
    super(scope, id, env);
  }
}

/**
 * An EventBridge schema: the documented shape of an event, stored in a schema registry.
 *
 * The definition is validated when the construct is created; see `SchemaDefinition`.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-schema.html
 * @resource AWS::EventSchemas::Schema
 */
export class EventSchema extends EventSchemaBase {
  /**
   * Import a schema by ARN.
   *
   * @param scope the parent construct
   * @param id the construct id
   * @param schemaArn `arn:aws:schemas:<region>:<account>:schema/<registry>/<name>`
   */
  public static fromSchemaArn(scope: Construct, id: string, schemaArn: string): IEventSchema {
    const what = `EventSchema.fromSchemaArn '${scope.node.path}/${id}'`;
    const parts = Stack.of(scope).splitArn(schemaArn, ArnFormat.SLASH_RESOURCE_NAME);
    let schemaName: string;
    if (Token.isUnresolved(schemaArn)) {
      // `arn:...:schema/<registry>/<name>`: the name is the third '/'-separated part.
      schemaName = Fn.select(2, Fn.split('/', schemaArn));
    } else {
      const slash = parts.resourceName?.indexOf('/') ?? -1;
      if (parts.service !== 'schemas' || parts.resource !== 'schema' || !parts.resourceName || slash < 1 || slash === parts.resourceName.length - 1) {
        throw new Error(`${what}: schemaArn must look like arn:<partition>:schemas:<region>:<account>:schema/<registry>/<name>, got ${show(schemaArn)}`);
      }
      schemaName = parts.resourceName.slice(slash + 1);
      assertNoProblems(what, 'schemaName', schemaName, schemaNameProblems);
    }
    return new ImportedEventSchema(scope, id, schemaName, schemaArn, { account: parts.account, region: parts.region });
  }

  /**
   * Import a schema by its registry and name.
   *
   * @param scope the parent construct
   * @param id the construct id
   * @param registry the registry that holds the schema
   * @param schemaName the schema's name
   */
  public static fromSchemaName(scope: Construct, id: string, registry: ISchemaRegistry, schemaName: string): IEventSchema {
    assertNoProblems(`EventSchema.fromSchemaName '${scope.node.path}/${id}'`, 'schemaName', schemaName, schemaNameProblems);
    return new ImportedEventSchema(scope, id, schemaName, schemaArnFor(scope, registry.registryName, schemaName), {});
  }

  public readonly schemaName: string;
  public readonly schemaArn: string;
  public readonly schemaVersion?: string;

  /**
   * The registry that holds the schema.
   */
  public readonly registry: ISchemaRegistry;

  /**
   * The schema format.
   */
  public readonly schemaType: SchemaType;

  /**
   * The underlying CloudFormation schema.
   */
  public readonly cfnSchema: eventschemas.CfnSchema;

  constructor(scope: Construct, id: string, props: EventSchemaProps) {
    super(scope, id, { physicalName: props.schemaName });

    if (props.schemaName !== undefined) {
      assertNoProblems(`EventSchema '${this.node.path}'`, 'schemaName', props.schemaName, schemaNameProblems);
    }
    if (props.description !== undefined && !Token.isUnresolved(props.description)) {
      const problems = descriptionProblems(props.description);
      if (problems.length > 0) {
        throw new Error(`EventSchema '${this.node.path}': description ${problems.join('; ')}`);
      }
    }

    const config = props.definition.bind(this);
    this.registry = props.registry;
    this.schemaType = config.schemaType;
    this.cfnSchema = this.createResource(props, config.schemaType, config.content);
    this.cfnSchema.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.DESTROY);

    this.schemaArn = this.cfnSchema.attrSchemaArn;
    this.schemaName = this.cfnSchema.attrSchemaName;
    this.schemaVersion = this.cfnSchema.attrSchemaVersion;
  }

  /**
   * Create the L1 schema. Override to customize it.
   *
   * @param props the construct's props
   * @param schemaType the schema format
   * @param content the schema document as JSON
   */
  protected createResource(props: EventSchemaProps, schemaType: SchemaType, content: string): eventschemas.CfnSchema {
    return new eventschemas.CfnSchema(this, 'Resource', {
      registryName: props.registry.registryName,
      schemaName: props.schemaName,
      description: props.description,
      type: schemaType,
      content,
    });
  }
}
