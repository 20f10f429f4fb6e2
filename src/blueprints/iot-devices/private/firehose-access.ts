import { Aspects, aws_iam as iam, aws_kinesisfirehose as firehose } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { rewriteStatements } from '../../../private/policy-statements';

/**
 * What Firehose needs of its S3 destination bucket, as its documentation lists it
 * (https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3).
 */
export const FIREHOSE_S3_ACTIONS = [
  's3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:PutObject',
];

/**
 * aws-cdk-lib's Firehose S3 destination grants its role `grantReadWrite` on the bucket: delete rights Firehose never
 * uses (`s3:DeleteObject*`) and action wildcards. This narrows that statement of the destination role's policy to
 * FIREHOSE_S3_ACTIONS; the resources (the bucket and its objects) and the other statements stay as they are.
 */
export function narrowFirehoseS3Access(stream: firehose.DeliveryStream): void {
  Aspects.of(stream).add({
    visit(node: IConstruct) {
      // aws-cdk-lib names the role "S3 Destination Role" (with spaces) under the stream.
      if (!(node instanceof iam.CfnPolicy) || !node.node.path.includes('/S3 Destination Role/')) {
        return;
      }
      const grantsDelete = (statement: any) => [statement?.Action].flat().includes('s3:DeleteObject*');
      const document = rewriteStatements(node, node.policyDocument,
        (statement) => (grantsDelete(statement) ? { ...statement, Action: FIREHOSE_S3_ACTIONS } : statement));
      if (document !== undefined) {
        node.policyDocument = document;
      }
    },
  });
}
