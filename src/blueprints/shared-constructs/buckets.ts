import { RemovalPolicy, Stack, Validations, aws_iam as iam, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The construct ids of a {@link createBucketWithAccessLogs} pair. */
export interface LoggedBucketIds {
  /** The id of the data bucket. */
  readonly bucket: string;
  /** The id of the bucket receiving its server access logs. */
  readonly accessLogs: string;
}

/** A bucket and the bucket receiving its server access logs. */
export interface LoggedBucket {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;
}

/**
 * An S3 bucket with the blueprints' defaults (S3-managed encryption, TLS enforced, public access blocked, bucket
 * owner enforced, versioned) and its server access logs in a second bucket with the same defaults. The access logs
 * are delivered through a bucket policy for `logging.s3.amazonaws.com` (scoped to the data bucket and the account),
 * not the legacy LogDeliveryWrite ACL.
 *
 * @param logPrefix the key prefix of the access logs, e.g. `trail-bucket/`
 */
export function createBucketWithAccessLogs(
  scope: Construct, ids: LoggedBucketIds, logPrefix: string, removalPolicy: RemovalPolicy,
): LoggedBucket {
  const accessLogs = new s3.Bucket(scope, ids.accessLogs, secureBucketProps(removalPolicy));
  Validations.of(accessLogs).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This bucket receives the server access logs of another bucket; logging its own access would loop.',
  });
  const bucket = new s3.Bucket(scope, ids.bucket, secureBucketProps(removalPolicy));
  (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
    destinationBucketName: accessLogs.bucketName,
    logFilePrefix: logPrefix,
  };
  accessLogs.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [accessLogs.arnForObjects(`${logPrefix}*`)],
    conditions: {
      ArnLike: { 'aws:SourceArn': bucket.bucketArn },
      StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
    },
  }));
  return { bucket, accessLogs };
}

function secureBucketProps(removalPolicy: RemovalPolicy): s3.BucketProps {
  return {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy,
  };
}
