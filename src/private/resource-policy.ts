import { aws_iam as iam } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError, show } from './errors';

/**
 * Refuses a resource-policy statement that allows every principal (`*`) without a condition. Used by every bus
 * construct of the library before it adds a statement.
 */
export function assertNotOpenToAll(scope: IConstruct, constructType: string, statement: iam.PolicyStatement): void {
  const json = statement.toStatementJson();
  if (json.Effect !== 'Deny' && isOpenPrincipal(json.Principal) && !json.Condition) {
    throw propError(scope, constructType, 'resource policy',
      `statement ${show(json.Sid ?? '')} allows every principal ("*") without a condition; `
      + 'allow named accounts, an organization (aws:PrincipalOrgID) or a service principal with source conditions');
  }
}

function isOpenPrincipal(principal: any): boolean {
  if (principal === '*') {
    return true;
  }
  if (principal && typeof principal === 'object') {
    const aws = principal.AWS;
    return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
  }
  return false;
}
