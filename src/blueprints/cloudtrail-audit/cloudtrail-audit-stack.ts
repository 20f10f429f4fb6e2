import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CloudTrailAudit, CloudTrailAuditProps } from './cloudtrail-audit';

/**
 * Properties of a {@link CloudTrailAuditStack}.
 */
export interface CloudTrailAuditStackProps extends StackProps, CloudTrailAuditProps {}

/**
 * The CloudTrail-to-audit blueprint as a stack of its own.
 */
export class CloudTrailAuditStack extends Stack {
  /** The blueprint. */
  public readonly blueprint: CloudTrailAudit;

  constructor(scope: Construct, id: string, props: CloudTrailAuditStackProps = {}) {
    super(scope, id, props);
    this.blueprint = new CloudTrailAudit(this, 'CloudTrailAudit', props);
  }
}
