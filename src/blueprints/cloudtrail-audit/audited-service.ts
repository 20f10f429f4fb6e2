/**
 * Which API calls of one AWS service `CloudTrailAudit` records.
 */
export interface AuditedServiceOptions {
  /**
   * The EventBridge `source` of the service's events, e.g. `aws.iam`.
   */
  readonly source: string;

  /**
   * The CloudTrail `eventSource` of the service's API calls, e.g. `iam.amazonaws.com`.
   *
   * @default - derived from `source`: `aws.<name>` gives `<name>.amazonaws.com`
   */
  readonly eventSource?: string;

  /**
   * The CloudTrail `eventName`s (API actions) to record.
   *
   * @default - every write (not read-only) call of the service; every call with `includeReadOnlyEvents`
   */
  readonly eventNames?: string[];
}

/**
 * A service whose CloudTrail API calls `CloudTrailAudit` records: one of the predefined sets or your own.
 */
export class AuditedService {
  /** Every write call of IAM (IAM is global: its events reach EventBridge in us-east-1 only). */
  public static readonly IAM = new AuditedService({ source: 'aws.iam' });

  /** KMS calls that weaken or destroy keys: disabling, deleting, policy and grant changes, key material. */
  public static readonly KMS = new AuditedService({
    source: 'aws.kms',
    eventNames: [
      'DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy', 'CreateGrant', 'RevokeGrant', 'RetireGrant',
      'DisableKeyRotation', 'DeleteImportedKeyMaterial', 'ImportKeyMaterial', 'DeleteAlias', 'UpdateAlias',
    ],
  });

  /** S3 bucket policies, ACLs and public access blocks (bucket and account level). */
  public static readonly S3_BUCKET_POLICIES = new AuditedService({
    source: 'aws.s3',
    eventNames: [
      'PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl',
      // CloudTrail records PutPublicAccessBlock/DeletePublicAccessBlock under these names.
      'PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock',
      'PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock',
    ],
  });

  /** EC2 security groups: creation, deletion and rule changes. */
  public static readonly EC2_SECURITY_GROUPS = new AuditedService({
    source: 'aws.ec2',
    eventNames: [
      'AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress',
      'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress',
      'ModifySecurityGroupRules', 'CreateSecurityGroup', 'DeleteSecurityGroup',
    ],
  });

  /** CloudTrail itself: stopping, deleting or reconfiguring trails. */
  public static readonly CLOUDTRAIL = new AuditedService({
    source: 'aws.cloudtrail',
    eventNames: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors'],
  });

  /**
   * The default set: IAM, KMS, S3 bucket policies, EC2 security groups and CloudTrail.
   */
  public static defaults(): AuditedService[] {
    return [
      AuditedService.IAM,
      AuditedService.KMS,
      AuditedService.S3_BUCKET_POLICIES,
      AuditedService.EC2_SECURITY_GROUPS,
      AuditedService.CLOUDTRAIL,
    ];
  }

  /**
   * Any service, with all its write calls or the calls you name.
   *
   * @param options the service's source and, optionally, event names
   */
  public static of(options: AuditedServiceOptions): AuditedService {
    return new AuditedService(options);
  }

  /** The EventBridge `source` of the service's events. */
  public readonly source: string;

  /** The CloudTrail `eventSource` of the service's API calls. */
  public readonly eventSource: string;

  /** The recorded event names; undefined for every write call. */
  public readonly eventNames?: string[];

  private constructor(options: AuditedServiceOptions) {
    this.source = options.source;
    this.eventSource = options.eventSource ?? (options.source.startsWith('aws.')
      ? `${options.source.slice('aws.'.length)}.amazonaws.com`
      : options.source);
    this.eventNames = options.eventNames === undefined ? undefined : [...options.eventNames];
  }
}
