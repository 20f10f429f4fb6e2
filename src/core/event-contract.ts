import {
  Annotations,
  Token,
  aws_events as events,
  aws_iam as iam,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EventSchema } from './event-schema';
import { SchemaDefinition } from './schema-definition';
import type { ISchemaRegistry } from './schema-registry';
import { show } from '../private/errors';
import {
  DETAIL_TYPE_MAX_LENGTH,
  EVENT_SOURCE_MAX_LENGTH,
  descriptionProblems,
  isPlainObject,
  jsonSchemaDraft4Problems,
  schemaNameProblems,
} from '../private/schema-validation';

/**
 * Properties for an `EventContract`.
 */
export interface EventContractProps {
  /**
   * The registry where the contract's schema is published.
   */
  readonly registry: ISchemaRegistry;

  /**
   * The `source` of the events, e.g. `com.example.orders`.
   *
   * 1-256 characters; must not start with `aws.`, which EventBridge reserves for AWS services.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html
   */
  readonly source: string;

  /**
   * The `detail-type` of the events, e.g. `Order Created`. 1-128 characters.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html
   */
  readonly detailType: string;

  /**
   * A JSON Schema draft 4 document describing the event's `detail`.
   *
   * It is embedded as `properties.detail` of a schema of the whole EventBridge event.
   */
  readonly detailSchema: { [key: string]: any };

  /**
   * A description of the event, stored on the schema. At most 256 characters.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * The name of the schema in the registry.
   *
   * @default - EventBridge's naming convention `<source>@<DetailType>`: the detail-type without
   * spaces, and both parts stripped of characters other than letters, digits, `.`, `-` and `_`
   * (e.g. `com.example.orders@OrderCreated`). When `source` or `detailType` is a token,
   * CloudFormation generates the name.
   */
  readonly schemaName?: string;
}

/**
 * One event's contract: its `source`, its `detail-type` and the JSON Schema of its `detail`,
 * published as a schema of the whole EventBridge event in a schema registry.
 *
 * Producers and consumers share the contract object: `pattern()` builds event patterns that
 * always match this contract's source and detail-type, and `grantRead()` gives tools access to
 * the published schema.
 */
export class EventContract extends Construct {
  /**
   * The `source` of the events.
   */
  public readonly source: string;

  /**
   * The `detail-type` of the events.
   */
  public readonly detailType: string;

  /**
   * The JSON Schema of the event's `detail`, as given.
   */
  public readonly detailSchema: { [key: string]: any };

  /**
   * The registry the schema is published in.
   */
  public readonly registry: ISchemaRegistry;

  /**
   * The published schema of the whole event.
   */
  public readonly schema: EventSchema;

  constructor(scope: Construct, id: string, props: EventContractProps) {
    super(scope, id);
    const what = `EventContract '${this.node.path}'`;

    validateSource(what, props.source);
    validateDetailType(what, props.detailType);
    if (!isPlainObject(props.detailSchema)) {
      throw new Error(`${what}: detailSchema must be a JSON Schema draft 4 object, got ${show(props.detailSchema)}`);
    }
    const detailProblems = jsonSchemaDraft4Problems(props.detailSchema);
    if (detailProblems.length > 0) {
      throw new Error(`${what}: detailSchema is not a valid JSON Schema draft 4:${detailProblems.map((p) => `\n  - detailSchema ${p}`).join('')}`);
    }
    if (props.description !== undefined && !Token.isUnresolved(props.description)) {
      const problems = descriptionProblems(props.description);
      if (problems.length > 0) {
        throw new Error(`${what}: description ${problems.join('; ')}`);
      }
    }

    this.source = props.source;
    this.detailType = props.detailType;
    this.detailSchema = props.detailSchema;
    this.registry = props.registry;

    const schemaName = props.schemaName ?? conventionalSchemaName(what, props.source, props.detailType);
    this.schema = new EventSchema(this, 'Schema', {
      registry: props.registry,
      schemaName,
      description: props.description,
      definition: SchemaDefinition.jsonSchemaDraft4(envelopeSchema(props.source, props.detailType, props.detailSchema)),
    });
  }

  /**
   * An event pattern that matches this contract's events.
   *
   * `source` and `detail-type` are always this contract's; everything else (`detail`, `account`,
   * `region`, `resources`, ...) comes from `options`. Top-level `detail` fields that the detail
   * schema does not declare produce a warning, since they usually are typos.
   *
   * @param options further filters
   * @default - match every event of this contract
   * @throws when `options` sets `source` or `detailType` to anything but this contract's value
   */
  public pattern(options: events.EventPattern = {}): events.EventPattern {
    const what = `EventContract '${this.node.path}'.pattern()`;
    checkFixedField(what, 'source', options.source, this.source);
    checkFixedField(what, 'detailType', options.detailType, this.detailType);
    if (options.detail !== undefined) {
      if (!isPlainObject(options.detail)) {
        throw new Error(`${what}: detail must be an object of field filters, got ${show(options.detail)}`);
      }
      this.warnAboutUndeclaredDetailFields(options.detail);
    }
    return {
      ...options,
      source: [this.source],
      detailType: [this.detailType],
    };
  }

  /**
   * Grant read access to this contract's schema.
   *
   * @param grantee the principal to grant access to
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.schema.grantRead(grantee);
  }

  private warnAboutUndeclaredDetailFields(detail: { [key: string]: any }): void {
    const declared = this.detailSchema.properties;
    if (!isPlainObject(declared)) {
      return;
    }
    const undeclared = Object.keys(detail).filter((key) => !key.startsWith('$') && !(key in declared));
    if (undeclared.length > 0) {
      Annotations.of(this).addWarningV2(
        'cdk-eventbridge-blueprints:contractUndeclaredDetailField',
        `pattern() filters on detail field(s) ${undeclared.map((k) => `"${k}"`).join(', ')} that detailSchema does not declare `
        + `(declared: ${Object.keys(declared).map((k) => `"${k}"`).join(', ') || 'none'}); a typo makes the rule match nothing`,
      );
    }
  }
}

function conventionalSchemaName(what: string, source: string, detailType: string): string | undefined {
  if (Token.isUnresolved(source) || Token.isUnresolved(detailType)) {
    return undefined;
  }
  const clean = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '');
  const name = `${clean(source)}@${clean(detailType)}`;
  const problems = schemaNameProblems(name);
  if (clean(source) === '' || clean(detailType) === '' || problems.length > 0) {
    throw new Error(
      `${what}: cannot derive a schema name from source ${show(source)} and detailType ${show(detailType)} `
      + `(got ${show(name)}${problems.length > 0 ? `, which ${problems.join('; ')}` : ''}); set schemaName`,
    );
  }
  return name;
}

function validateSource(what: string, source: string): void {
  if (Token.isUnresolved(source)) {
    return;
  }
  if (source.length < 1 || source.length > EVENT_SOURCE_MAX_LENGTH) {
    throw new Error(`${what}: source must be 1-${EVENT_SOURCE_MAX_LENGTH} characters long, got ${source.length} characters (${show(source)})`);
  }
  if (source.startsWith('aws.')) {
    throw new Error(`${what}: source must not start with "aws.", which EventBridge reserves for events from AWS services, got ${show(source)}; use your own reverse-DNS prefix such as "com.example.orders"`);
  }
}

function validateDetailType(what: string, detailType: string): void {
  if (Token.isUnresolved(detailType)) {
    return;
  }
  if (detailType.length < 1 || detailType.length > DETAIL_TYPE_MAX_LENGTH) {
    throw new Error(`${what}: detailType must be 1-${DETAIL_TYPE_MAX_LENGTH} characters long, got ${detailType.length} characters (${show(detailType)})`);
  }
}

function checkFixedField(what: string, field: string, given: string[] | undefined, fixed: string): void {
  if (given === undefined) {
    return;
  }
  if (Array.isArray(given) && given.length === 1 && given[0] === fixed) {
    return;
  }
  throw new Error(
    `${what}: ${field} ${show(given)} conflicts with the contract's ${field} ${show(fixed)}. `
    + `A contract's pattern always matches exactly its own ${field}; omit ${field}, or use another contract's pattern() for other events`,
  );
}

/**
 * A JSON Schema draft 4 document for the whole EventBridge event envelope, with `detail`
 * described by the contract's detail schema.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html
 */
function envelopeSchema(source: string, detailType: string, detailSchema: { [key: string]: any }): { [key: string]: any } {
  const { $schema: _ignored, ...detail } = detailSchema;
  return {
    '$schema': 'http://json-schema.org/draft-04/schema#',
    'title': Token.isUnresolved(detailType) ? 'Event' : detailType.replace(/\s+/g, ''),
    'x-amazon-events-source': source,
    'x-amazon-events-detail-type': detailType,
    'type': 'object',
    'required': ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'],
    'properties': {
      'version': { type: 'string' },
      'id': { type: 'string' },
      'detail-type': { type: 'string', enum: [detailType] },
      'source': { type: 'string', enum: [source] },
      'account': { type: 'string' },
      'time': { type: 'string', format: 'date-time' },
      'region': { type: 'string' },
      'resources': { type: 'array', items: { type: 'string' } },
      'detail': detail,
    },
  };
}
