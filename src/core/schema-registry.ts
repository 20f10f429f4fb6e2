import {
  Arn,
  ArnFormat,
  IResource,
  RemovalPolicy,
  Resource,
  Stack,
  Token,
  aws_eventschemas as eventschemas,
  aws_iam as iam,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EventSchema, EventSchemaOptions } from './event-schema';
import { assertNoProblems, show } from '../private/errors';
import { descriptionProblems, registryNameProblems } from '../private/schema-validation';

/**
 * IAM actions that read a registry and the schemas in it.
 *
 * These are the read-only actions AWS lists for the schema registry, plus `ExportSchema`.
 * `GetDiscoveredSchema` is deliberately absent: it infers a schema from sample events, is not
 * tied to any registry and cannot be scoped to one.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-resource-based-schemas.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridgeschemas.html
 */
const SCHEMA_REGISTRY_READ_ACTIONS: string[] = [
  'schemas:DescribeRegistry',
  'schemas:ListSchemas',
  'schemas:SearchSchemas',
  'schemas:DescribeSchema',
  'schemas:ListSchemaVersions',
  'schemas:ExportSchema',
  'schemas:DescribeCodeBinding',
  'schemas:GetCodeBindingSource',
];

/**
 * An EventBridge schema registry: a named container for event schemas.
 */
export interface ISchemaRegistry extends IResource {
  /**
   * The name of the registry.
   *
   * @attribute
   */
  readonly registryName: string;

  /**
   * The ARN of the registry, `arn:aws:schemas:<region>:<account>:registry/<name>`.
   *
   * @attribute
   */
  readonly registryArn: string;

  /**
   * Grant read access to the registry and every schema in it
   * (describe, list, search, export, code bindings).
   *
   * @param grantee the principal to grant access to
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;

  /**
   * Add a schema to this registry.
   *
   * @param id the construct id of the schema
   * @param options the schema's definition, name and description
   */
  addSchema(id: string, options: EventSchemaOptions): EventSchema;
}

/**
 * Properties for a `SchemaRegistry`.
 */
export interface SchemaRegistryProps {
  /**
   * The name of the registry.
   *
   * 1-64 characters from letters, digits, `.`, `-` and `_`.
   *
   * @default - CloudFormation generates a unique name
   */
  readonly registryName?: string;

  /**
   * A description of the registry, at most 256 characters.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * What happens to the registry when it is removed from the stack or the stack is deleted.
   *
   * The registry holds only schemas defined in this app, so deleting it loses nothing that a
   * redeploy does not recreate.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Shared implementation of imported and created registries.
 */
abstract class SchemaRegistryBase extends Resource implements ISchemaRegistry {
  public abstract readonly registryName: string;
  public abstract readonly registryArn: string;

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: SCHEMA_REGISTRY_READ_ACTIONS,
      resourceArns: [this.registryArn, this.schemaArnWildcard()],
    });
  }

  public addSchema(id: string, options: EventSchemaOptions): EventSchema {
    return new EventSchema(this, id, { ...options, registry: this });
  }

  /**
   * `arn:<partition>:schemas:<region>:<account>:schema/<registryName>/*`
   */
  private schemaArnWildcard(): string {
    return Arn.format({
      service: 'schemas',
      resource: 'schema',
      resourceName: `${this.registryName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      account: this.env.account,
      region: this.env.region,
    }, Stack.of(this));
  }
}

class ImportedSchemaRegistry extends SchemaRegistryBase {
  constructor(
    scope: Construct,
    id: string,
    public readonly registryName: string,
    public readonly registryArn: string,
    env: { account?: string; region?: string },
  ) {
    super(scope, id, env);
  }
}

/**
 * An EventBridge schema registry.
 *
 * Registries group the schemas of your events so that producers and consumers can find them,
 * download code bindings and validate events against them.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-schema-registry.html
 * @resource AWS::EventSchemas::Registry
 */
export class SchemaRegistry extends SchemaRegistryBase {
  /**
   * Import a registry in this stack's account and region by name.
   *
   * @param scope the parent construct
   * @param id the construct id
   * @param registryName the registry's name
   */
  public static fromRegistryName(scope: Construct, id: string, registryName: string): ISchemaRegistry {
    assertNoProblems(`SchemaRegistry.fromRegistryName '${scope.node.path}/${id}'`, 'registryName', registryName, registryNameProblems);
    const stack = Stack.of(scope);
    const registryArn = stack.formatArn({
      service: 'schemas',
      resource: 'registry',
      resourceName: registryName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    return new ImportedSchemaRegistry(scope, id, registryName, registryArn, {});
  }

  /**
   * Import a registry by ARN, possibly from another account or region.
   *
   * @param scope the parent construct
   * @param id the construct id
   * @param registryArn the registry's ARN, `arn:aws:schemas:<region>:<account>:registry/<name>`
   */
  public static fromRegistryArn(scope: Construct, id: string, registryArn: string): ISchemaRegistry {
    const what = `SchemaRegistry.fromRegistryArn '${scope.node.path}/${id}'`;
    const parts = Stack.of(scope).splitArn(registryArn, ArnFormat.SLASH_RESOURCE_NAME);
    if (!Token.isUnresolved(registryArn)) {
      if (parts.service !== 'schemas' || parts.resource !== 'registry' || !parts.resourceName) {
        throw new Error(`${what}: registryArn must look like arn:<partition>:schemas:<region>:<account>:registry/<name>, got ${show(registryArn)}`);
      }
      assertNoProblems(what, 'registryName', parts.resourceName, registryNameProblems);
    }
    return new ImportedSchemaRegistry(scope, id, parts.resourceName!, registryArn, {
      account: parts.account,
      region: parts.region,
    });
  }

  public readonly registryName: string;
  public readonly registryArn: string;

  /**
   * The underlying CloudFormation registry.
   */
  public readonly cfnRegistry: eventschemas.CfnRegistry;

  constructor(scope: Construct, id: string, props: SchemaRegistryProps = {}) {
    super(scope, id, { physicalName: props.registryName });

    if (props.registryName !== undefined) {
      assertNoProblems(`SchemaRegistry '${this.node.path}'`, 'registryName', props.registryName, registryNameProblems);
    }
    if (props.description !== undefined && !Token.isUnresolved(props.description)) {
      const problems = descriptionProblems(props.description);
      if (problems.length > 0) {
        throw new Error(`SchemaRegistry '${this.node.path}': description ${problems.join('; ')}`);
      }
    }

    this.cfnRegistry = this.createResource(props);
    this.cfnRegistry.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.DESTROY);

    this.registryArn = this.getResourceArnAttribute(this.cfnRegistry.attrRegistryArn, {
      service: 'schemas',
      resource: 'registry',
      resourceName: this.physicalName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.registryName = this.getResourceNameAttribute(this.cfnRegistry.attrRegistryName);
  }

  /**
   * Create the L1 registry. Override to customize it.
   *
   * @param props the construct's props
   */
  protected createResource(props: SchemaRegistryProps): eventschemas.CfnRegistry {
    return new eventschemas.CfnRegistry(this, 'Resource', {
      registryName: props.registryName,
      description: props.description,
    });
  }
}
