import {
  Duration,
  RemovalPolicy,
  Size,
  Stack,
  Token,
  Validations,
  aws_dynamodb as dynamodb,
  aws_events as events,
  aws_events_targets as targets,
  aws_iam as iam,
  aws_kms as kms,
  aws_s3 as s3,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  DEFAULT_THUMBNAIL_PREFIX, DEFAULT_UPLOAD_PREFIX, ENV, IMAGE_EXTENSIONS, LIMITS, OBJECT_CREATED, OBJECT_CREATED_SCHEMA,
  PHOTO_UPLOADED_NOTIFICATION, SchemaData,
} from './contract';
import { EventSchema } from '../../core/event-schema';
import { ReliableDeliveryOptions, ReliableRoute } from '../../core/reliable-route';
import { SchemaDefinition } from '../../core/schema-definition';
import { ISchemaRegistry } from '../../core/schema-registry';
import { checkAlarmOptions } from '../../private/alarm-options';
import { propError, show } from '../../private/errors';
import { guardServiceRoleTrust } from '../../private/service-role-trust';
import { BlueprintFunction } from '../kit/blueprint-function';
import { BlueprintRegistryProps, BlueprintRemovalPolicyProps } from '../kit/blueprint-props';
import { createDefaultFunction } from '../shared-constructs/default-function';
import { deliveryOptions } from '../shared-constructs/delivery-options';
import { blueprintRegistry } from '../shared-constructs/foundation';
import { numberToEnv } from '../shared-constructs/settings';
import { checkTableKeys, createBlueprintTable } from '../shared-constructs/tables';

const TYPE = 'PhotoUpload';
const BLUEPRINT = 'photo-upload';

/** The key of the profile table: one item per user. */
const PROFILE_PARTITION_KEY: dynamodb.Attribute = { name: 'userId', type: dynamodb.AttributeType.STRING };
/** A key prefix: letters, digits, `.`, `_`, `-` and `/`, ending in `/` (no `*` or `\`: it is used in wildcards). */
const PREFIX = /^[A-Za-z0-9._-][A-Za-z0-9._/-]*\/$/;

/**
 * Properties of a {@link PhotoUpload}.
 */
export interface PhotoUploadProps extends ReliableDeliveryOptions, BlueprintRegistryProps, BlueprintRemovalPolicyProps {
  /**
   * Where users upload photos: `<uploadPrefix><userId>/<fileName>.jpg|.jpeg|.png` (letters, digits, `.`, `_`, `-`;
   * extensions in lower or upper case). Only objects under it trigger the consumers.
   *
   * 1 to 100 characters of letters, digits, `.`, `_`, `-` and `/`, ending in `/`; neither inside `thumbnailPrefix`
   * nor containing it.
   *
   * @default 'uploads/'
   */
  readonly uploadPrefix?: string;

  /**
   * Where the thumbnail function writes thumbnails, in the same bucket: `<thumbnailPrefix><userId>/<fileName>`.
   * It must lie outside `uploadPrefix`, so that the rule never matches a thumbnail's own `Object Created` event.
   *
   * @default 'thumbnails/'
   */
  readonly thumbnailPrefix?: string;

  /**
   * The name of the uploads bucket. A literal name also goes into the rule's pattern as it is (otherwise the
   * pattern refers to the bucket, resolved at deploy time).
   *
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
   * @default - CloudFormation generates a unique name
   */
  readonly uploadsBucketName?: string;

  /**
   * The longer edge of a thumbnail, in pixels (16 to 2048). Smaller images keep their size.
   *
   * @default 256
   */
  readonly thumbnailSize?: number;

  /**
   * The largest upload the consumers handle (1 byte to 50 MiB). The rule does not route larger objects at all, and the
   * thumbnail function never reads more.
   *
   * @default Size.mebibytes(15)
   */
  readonly maxImageSize?: Size;

  /**
   * The most pixels (width x height) the thumbnail function decodes (1 to 100,000,000), checked in the image's
   * header before decoding. Larger images get no thumbnail. The thumbnail function's memory follows from it
   * (40 bytes per pixel plus 256 MiB, in steps of 64 MB, at least 512 MB: 1216 MB for the default), and so does its
   * timeout (30 s for S3, plus three times the decoding time measured per pixel, scaled to the vCPU share of that
   * memory; 60 to 900 s: 60 s for the default, 83 s for 100,000,000 pixels).
   *
   * @default 24000000
   */
  readonly maxImagePixels?: number;

  /**
   * The profile table: one item per user, partition key `userId` (String). The profile function sets `photoKey`,
   * `thumbnailKey`, `photoEtag`, `photoUploadedAt`, `photoVersion` and `photoUpdatedAt` on it and leaves the
   * other attributes alone; it gets `dynamodb:UpdateItem`.
   *
   * A table defined in the same app is checked for the key schema at synth; an imported one is not.
   *
   * @default - a new table (on-demand, point-in-time recovery, AWS managed encryption, `removalPolicy`)
   */
  readonly profileTable?: dynamodb.ITable;

  /**
   * The topic the follower notifications are published to (`{ type: 'PhotoUploaded', eventId, bucket, key, size,
   * uploadedAt }`). EventBridge publishes with a role of its own; a topic encrypted with a KMS key needs that key to
   * let the role use it (a key in the same account does, unless its policy says otherwise).
   *
   * @default - a new topic, encrypted with a new KMS key (rotation on), TLS enforced
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * The bucket that keeps the uploads bucket's server access logs.
   *
   * @default - no server access logs (record S3 data events with CloudTrail if you need them)
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
}

/**
 * Photo upload fan-out: a photo uploaded to the uploads bucket gets a thumbnail, becomes the user's latest profile
 * photo, and is announced to the user's followers.
 *
 * The bucket sends its events to EventBridge through its own notification setting (CloudFormation's
 * `NotificationConfiguration.EventBridgeConfiguration`, no custom resource); one rule on the default bus matches
 * `Object Created` for images under the upload prefix and delivers, with a dead-letter queue, a retry policy and an
 * alarm, to three consumers: the thumbnail function, the profile function and the notification topic. Thumbnails are
 * written under a prefix the rule cannot match, so they never trigger it again.
 */
export class PhotoUpload extends Construct {
  /** The uploads bucket: block public access, S3-managed encryption, TLS 1.2 enforced, EventBridge notifications on. */
  public readonly uploadsBucket: s3.Bucket;

  /** Where photos are uploaded. */
  public readonly uploadPrefix: string;

  /** Where thumbnails are written (same bucket). */
  public readonly thumbnailPrefix: string;

  /** The registry holding the blueprint's schemas. */
  public readonly registry: ISchemaRegistry;

  /** The schema of the consumed S3 `Object Created` event (the fields the blueprint reads). */
  public readonly objectCreatedSchema: EventSchema;

  /** The schema of the follower notification message. */
  public readonly notificationSchema: EventSchema;

  /** The profile table (partition key `userId`). */
  public readonly profileTable: dynamodb.ITable;

  /** The follower notification topic. */
  public readonly notificationTopic: sns.ITopic;

  /** The key of the notification topic, when the blueprint created the topic. */
  public readonly notificationKey?: kms.Key;

  /** The thumbnail function with its role, log group, on-failure queue and alarm. */
  public readonly thumbnailFunction: BlueprintFunction;

  /** The profile function with its role, log group, on-failure queue and alarm. */
  public readonly profileFunction: BlueprintFunction;

  /** The route of the uploads' `Object Created` events to the three consumers. */
  public readonly route: ReliableRoute;

  constructor(scope: Construct, id: string, props: PhotoUploadProps = {}) {
    super(scope, id);
    guardServiceRoleTrust(this);
    checkAlarmOptions(this, TYPE, props.alarms, props.alarmActions);

    this.uploadPrefix = checkPrefix(this, 'uploadPrefix', props.uploadPrefix ?? DEFAULT_UPLOAD_PREFIX);
    this.thumbnailPrefix = checkPrefix(this, 'thumbnailPrefix', props.thumbnailPrefix ?? DEFAULT_THUMBNAIL_PREFIX);
    checkPrefixesApart(this, this.uploadPrefix, this.thumbnailPrefix);
    const thumbnailSize = checkWholeNumber(this, 'thumbnailSize', props.thumbnailSize, LIMITS.thumbnailSize);
    const maxBytes = checkWholeNumber(this, 'maxImageSize', props.maxImageSize?.toBytes(), LIMITS.maxImageBytes, ' bytes');
    const maxPixels = checkWholeNumber(this, 'maxImagePixels', props.maxImagePixels, LIMITS.maxImagePixels);
    if (props.profileTable) {
      checkTableKeys(this, TYPE, 'profileTable', props.profileTable, PROFILE_PARTITION_KEY);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.uploadsBucket = this.createUploadsBucket(props, removalPolicy);
    this.registry = blueprintRegistry(this, props.registry);
    this.objectCreatedSchema = addSchema('ObjectCreatedSchema', this.registry, OBJECT_CREATED_SCHEMA);
    this.notificationSchema = addSchema('NotificationSchema', this.registry, PHOTO_UPLOADED_NOTIFICATION);

    this.profileTable = props.profileTable ?? createBlueprintTable(this, 'ProfileTable', {
      partitionKey: PROFILE_PARTITION_KEY,
      removalPolicy,
    });

    const prefixes = { [ENV.uploadPrefix]: this.uploadPrefix, [ENV.thumbnailPrefix]: this.thumbnailPrefix };
    this.thumbnailFunction = this.createThumbnailFunction(props, {
      ...prefixes,
      [ENV.thumbnailSize]: thumbnailSize,
      [ENV.maxImageBytes]: maxBytes,
      [ENV.maxImagePixels]: maxPixels,
    });
    this.profileFunction = createDefaultFunction(this, 'UpdateProfile', {
      blueprint: BLUEPRINT,
      handler: 'update-profile',
      description: 'Makes an uploaded photo the user\'s latest profile photo (photo-upload blueprint)',
      environment: { ...prefixes, [ENV.profileTableName]: this.profileTable.tableName },
    }, props);
    this.profileTable.grant(this.profileFunction, 'dynamodb:UpdateItem');

    ({ notificationTopic: this.notificationTopic, notificationKey: this.notificationKey } = this.createNotificationTopic(props));
    const upload = uploadFields();
    this.route = new ReliableRoute(this, 'UploadRoute', {
      // S3 sends its events to the account's default bus.
      eventPattern: this.eventPattern(Number(maxBytes),
        props.uploadsBucketName !== undefined && !Token.isUnresolved(props.uploadsBucketName) ? props.uploadsBucketName : undefined),
      description: `Photos uploaded under ${this.uploadPrefix} to the thumbnail, profile and follower notification consumers`,
      targets: [
        new targets.LambdaFunction(this.thumbnailFunction.function, { event: events.RuleTargetInput.fromObject(upload) }),
        new targets.LambdaFunction(this.profileFunction.function, { event: events.RuleTargetInput.fromObject(upload) }),
        this.createNotificationTarget(upload),
      ],
      ...deliveryOptions(props),
    });
  }

  /** The uploads bucket, which sends its events to EventBridge (the native setting). */
  private createUploadsBucket(props: PhotoUploadProps, removalPolicy: RemovalPolicy): s3.Bucket {
    checkBucketName(this, props.uploadsBucketName);
    const uploadsBucket = new s3.Bucket(this, 'UploadsBucket', {
      bucketName: props.uploadsBucketName,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy,
    });
    // The native setting (aws/aws-cdk#26772): `eventBridgeEnabled: true` would add the Custom::S3BucketNotifications
    // resource and its singleton Lambda function instead.
    (uploadsBucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    this.node.addValidation({ validate: () => notificationConflicts(uploadsBucket) });
    if (!props.serverAccessLogsBucket) {
      Validations.of(uploadsBucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason: 'Server access logs are opt-in (serverAccessLogsBucket): they need a second bucket; CloudTrail data events are the alternative.',
      });
    }
    return uploadsBucket;
  }

  /** The thumbnail function, allowed to read the uploads and write the thumbnails, nothing else in the bucket. */
  private createThumbnailFunction(props: PhotoUploadProps, environment: { [name: string]: string }): BlueprintFunction {
    const thumbnailMemory = thumbnailMemorySize(props.maxImagePixels);
    const fn = createDefaultFunction(this, 'CreateThumbnail', {
      blueprint: BLUEPRINT,
      handler: 'create-thumbnail',
      description: 'Writes the thumbnail of an uploaded photo (photo-upload blueprint)',
      environment,
      memorySize: thumbnailMemory,
      timeout: Duration.seconds(thumbnailTimeoutSeconds(props.maxImagePixels, thumbnailMemory)),
    }, props);
    // Exactly what the handler calls: GetObject on uploads, PutObject on thumbnails (grantRead/grantPut add wildcards).
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['s3:GetObject'],
      resourceArns: [this.uploadsBucket.arnForObjects(`${this.uploadPrefix}*`)],
    });
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['s3:PutObject'],
      resourceArns: [this.uploadsBucket.arnForObjects(`${this.thumbnailPrefix}*`)],
    });
    const bucketId = Stack.of(this).resolve((this.uploadsBucket.node.defaultChild as s3.CfnBucket).logicalId);
    Validations.of(fn.role).acknowledge(...[this.uploadPrefix, this.thumbnailPrefix].map((prefix) => ({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
      reason: `The function reads any photo under ${this.uploadPrefix} and writes any thumbnail under ${this.thumbnailPrefix} (one object per upload); nothing else in the bucket.`,
    })));
    return fn;
  }

  /** The follower notification topic: yours, or a new one encrypted with a key of its own. */
  private createNotificationTopic(props: PhotoUploadProps): { notificationTopic: sns.ITopic; notificationKey?: kms.Key } {
    if (props.notificationTopic) {
      return { notificationTopic: props.notificationTopic };
    }
    const notificationKey = new kms.Key(this, 'NotificationKey', {
      description: `Encrypts the follower notifications of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const notificationTopic = new sns.Topic(this, 'NotificationTopic', {
      masterKey: notificationKey,
      enforceSSL: true,
    });
    return { notificationTopic, notificationKey };
  }

  /** The follower notification target: a `PhotoUploaded` message, published with a role of its own. */
  private createNotificationTarget(upload: UploadFields): targets.SnsTopic {
    const notificationRole = new iam.Role(this, 'NotificationRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `EventBridge publishes the follower notifications of ${this.node.path}`,
    });
    Validations.of(notificationRole).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'SNS grantPublish names the GenerateDataKey family (the key of the topic only); publishing to an encrypted topic needs kms:GenerateDataKey.',
    });
    return new targets.SnsTopic(this.notificationTopic, {
      message: events.RuleTargetInput.fromObject({
        type: 'PhotoUploaded',
        eventId: upload.eventId,
        bucket: upload.bucket,
        key: upload.key,
        size: upload.size,
        uploadedAt: upload.time,
      }),
      // A role for EventBridge rather than a topic policy open to the whole service (and the key, for an encrypted topic).
      role: notificationRole,
    });
  }

  /**
   * Adds a consumer of the uploads' `Object Created` events (a queue, a function, a bus...). It gets the whole S3
   * event (unless the target sets its own input) and the route's dead-letter queue and retry policy (unless it sets
   * its own).
   */
  public addConsumer(target: events.IRuleTarget): void {
    this.route.addTarget(target);
  }

  private eventPattern(maxBytes: number, bucketName: string | undefined): events.EventPattern {
    const extensions = IMAGE_EXTENSIONS.flatMap((ext) => [ext, ext.toUpperCase()]);
    return {
      source: [OBJECT_CREATED.source],
      detailType: [OBJECT_CREATED.detailType],
      detail: {
        bucket: { name: [bucketName ?? this.uploadsBucket.bucketName] },
        object: {
          key: extensions.map((ext) => ({ wildcard: `${this.uploadPrefix}*.${ext}` })),
          size: Token.isUnresolved(maxBytes) || Number.isNaN(maxBytes)
            ? [{ numeric: ['>', 0] }]
            : [{ numeric: ['>', 0, '<=', maxBytes] }],
        },
      },
    };
  }
}

function checkPrefix(scope: Construct, prop: string, prefix: string): string {
  if (Token.isUnresolved(prefix)) {
    throw propError(scope, TYPE, prop, 'must be a literal string: it is compiled into the rule\'s wildcard pattern at synth, got a token');
  }
  if (prefix.length > LIMITS.maxPrefixLength || !PREFIX.test(prefix) || prefix.includes('//')) {
    throw propError(scope, TYPE, prop,
      `must be 1 to ${LIMITS.maxPrefixLength} characters of letters, digits, ".", "_", "-" and "/", not starting with "/", without "//", ending in "/", got ${show(prefix)}`);
  }
  return prefix;
}

/** S3's general purpose bucket names: 3-63 lower-case letters, digits, `.` and `-`, starting and ending with a letter or digit. */
function checkBucketName(scope: Construct, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) {
    return;
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) || name.includes('..')) {
    throw propError(scope, TYPE, 'uploadsBucketName',
      `must be 3 to 63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit, got ${show(name)}`);
  }
}

function checkPrefixesApart(scope: Construct, uploadPrefix: string, thumbnailPrefix: string): void {
  if (thumbnailPrefix.startsWith(uploadPrefix) || uploadPrefix.startsWith(thumbnailPrefix)) {
    throw propError(scope, TYPE, 'thumbnailPrefix',
      `must lie outside uploadPrefix (${show(uploadPrefix)}) and not contain it, got ${show(thumbnailPrefix)}: `
      + 'thumbnails written there would match the upload rule and trigger the thumbnail function again, for ever');
  }
}

/** A whole number in [min, max] as an environment value, the default when undefined; tokens pass unchecked. */
function checkWholeNumber(scope: Construct, prop: string, value: number | undefined,
  range: { readonly min: number; readonly max: number; readonly default: number }, unit = ''): string {
  if (value === undefined) {
    return String(range.default);
  }
  if (Token.isUnresolved(value)) {
    return numberToEnv(scope, value);
  }
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw propError(scope, TYPE, prop, `must be a whole number between ${range.min} and ${range.max}${unit}, got ${show(value)}${unit}`);
  }
  return String(value);
}

/**
 * Memory for decoding `maxImagePixels` (40 bytes per pixel, measured for JPEG, plus the runtime's share), in MB
 * steps of 64, 512 to 10240. A token pixel limit gets the memory of the largest one allowed.
 */
function thumbnailMemorySize(maxPixels: number | undefined): number {
  const mib = (pixelBudget(maxPixels) * LIMITS.bytesPerDecodedPixel) / (1024 * 1024) + LIMITS.thumbnailBaseMemoryMiB;
  return Math.min(10_240, Math.max(512, Math.ceil(mib / 64) * 64));
}

/** The timeout for decoding `maxImagePixels` with `memoryMb` (see `LIMITS.thumbnailTimeoutSeconds`), in seconds. */
function thumbnailTimeoutSeconds(maxPixels: number | undefined, memoryMb: number): number {
  const t = LIMITS.thumbnailTimeoutSeconds;
  const vcpuShare = Math.min(1, memoryMb / t.fullVcpuMemoryMb);
  const decodeSeconds = (pixelBudget(maxPixels) * LIMITS.decodeNanosPerPixel * 1e-9) / vcpuShare;
  return Math.min(t.max, Math.max(t.min, Math.ceil(t.base + t.safety * decodeSeconds)));
}

/** The pixel limit to size the function for: a token gets the largest one allowed. */
function pixelBudget(maxPixels: number | undefined): number {
  const pixels = maxPixels ?? LIMITS.maxImagePixels.default;
  return Token.isUnresolved(pixels) ? LIMITS.maxImagePixels.max : pixels;
}

function addSchema(id: string, registry: ISchemaRegistry, data: SchemaData): EventSchema {
  return registry.addSchema(id, {
    schemaName: data.schemaName,
    description: data.description,
    definition: SchemaDefinition.jsonSchemaDraft4(data.schema),
  });
}

/**
 * The bucket's notifications must stay the native setting: `addEventNotification()` (or `eventBridgeEnabled`)
 * adds a custom resource that rewrites the whole notification configuration of the bucket, EventBridge included.
 */
function notificationConflicts(bucket: s3.Bucket): string[] {
  return bucket.node.tryFindChild('Notifications')
    ? [`${TYPE} '${bucket.node.path}': the uploads bucket's notifications are set natively (EventBridge); do not call `
      + 'addEventNotification() on it: its custom resource would replace that configuration. Add a consumer of the '
      + 'Object Created events with addConsumer() instead']
    : [];
}

/** The fields of an upload that the consumers get, from the S3 `Object Created` event. */
function uploadFields() {
  const field = (path: string) => events.EventField.fromPath(path);
  return {
    eventId: field('$.id'),
    bucket: field('$.detail.bucket.name'),
    key: field('$.detail.object.key'),
    size: field('$.detail.object.size'),
    etag: field('$.detail.object.etag'),
    sequencer: field('$.detail.object.sequencer'),
    time: field('$.time'),
  };
}

type UploadFields = ReturnType<typeof uploadFields>;
