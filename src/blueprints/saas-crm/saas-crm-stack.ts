import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SaasCrmToMarketing, SaasCrmToMarketingProps } from './saas-crm';

/**
 * Properties of a {@link SaasCrmToMarketingStack}.
 */
export interface SaasCrmToMarketingStackProps extends StackProps, SaasCrmToMarketingProps {}

/**
 * The SaaS-CRM-to-marketing blueprint as a stack of its own, for teams that deploy it separately.
 */
export class SaasCrmToMarketingStack extends Stack {
  /** The blueprint. */
  public readonly blueprint: SaasCrmToMarketing;

  constructor(scope: Construct, id: string, props: SaasCrmToMarketingStackProps) {
    super(scope, id, props);
    this.blueprint = new SaasCrmToMarketing(this, 'SaasCrmToMarketing', props);
  }
}
