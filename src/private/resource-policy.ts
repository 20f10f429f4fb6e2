import { Token, aws_iam as iam } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError, show } from './errors';

/**
 * Refuses a resource-policy statement that allows every principal (`*`) unless one of its conditions restricts who
 * the principal is (see `PRINCIPAL_KEYS`) with a positive operator and values that do not start with a wildcard. A
 * condition such as `aws:SecureTransport` or `aws:PrincipalOrgID: "*"` restricts nobody. Used by every bus construct
 * of the library before it adds a statement.
 */
export function assertNotOpenToAll(scope: IConstruct, constructType: string, statement: iam.PolicyStatement): void {
  const json = statement.toStatementJson();
  if (json.Effect !== 'Deny' && isOpenPrincipal(json.Principal) && !restrictsPrincipal(json.Condition)) {
    throw propError(scope, constructType, 'resource policy',
      `statement ${show(json.Sid ?? '')} allows every principal ("*") without a condition that restricts who the principal is `
      + `(got ${show(json.Condition ?? {})}); allow named accounts, an organization (aws:PrincipalOrgID) or a service `
      + `principal with source conditions, or add one of ${PRINCIPAL_KEYS.join(', ')} with non-wildcard values`);
  }
}

/** Condition keys that say who the principal (or the calling resource) is. */
const PRINCIPAL_KEYS = [
  'aws:PrincipalOrgID', 'aws:PrincipalOrgPaths', 'aws:PrincipalAccount', 'aws:PrincipalArn',
  'aws:SourceAccount', 'aws:SourceArn', 'aws:SourceOrgID', 'aws:SourceOrgPaths',
];
const POSITIVE_OPERATOR = /^(ForAnyValue:|ForAllValues:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/;

/** Whether a statement's `Condition` restricts who the principal is (see `addToResourcePolicy`). */
function restrictsPrincipal(condition: any): boolean {
  if (!condition || typeof condition !== 'object') {
    return false;
  }
  return Object.entries(condition).some(([operator, keys]) => POSITIVE_OPERATOR.test(operator)
    && keys !== null && typeof keys === 'object'
    && Object.entries(keys as object).some(([key, value]) => PRINCIPAL_KEYS.some((k) => k.toLowerCase() === key.toLowerCase())
      && restrictiveValues(value)));
}

/** Values that name someone: non-empty, and none is a token-free string starting with a wildcard. */
function restrictiveValues(value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return values.length > 0 && values.every((v) => Token.isUnresolved(v)
    || (typeof v === 'string' && v !== '' && !v.startsWith('*') && !v.startsWith('?'))
    || (typeof v === 'object' && v !== null));
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
