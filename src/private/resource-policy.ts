import { Token, aws_iam as iam } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ACCOUNT_ID, ORGANIZATION_ID } from './aws-ids';
import { propError, show } from './errors';

/**
 * Refuses a resource-policy statement that lets every principal in (`Principal: "*"`, `{ AWS: "*" }` or any
 * `NotPrincipal`) unless a condition pins who the principal or the calling resource is. Used by every bus construct of
 * the library before it adds a statement.
 *
 * The rule is written as what *does* restrict, everything else is open:
 * - a key of `PINNING_KEYS` with a value that pins an exact account, organization, organization path or resource;
 * - under `StringEquals`, `StringEqualsIgnoreCase` or `ArnEquals` (values compared exactly), or `StringLike` /
 *   `ArnLike` whose wildcards leave the account or organization fixed;
 * - optionally prefixed with `ForAnyValue:`. Operators that are true when the key is absent (`ForAllValues:*`,
 *   `*IfExists`) and negated ones restrict nobody.
 * Conditions of one statement are ANDed, so one pinning condition is enough. Unresolved tokens (`Stack.account`, a
 * `Ref`) are taken as pinning: their value is only known at deploy time.
 */
export function assertNotOpenToAll(scope: IConstruct, constructType: string, statement: iam.PolicyStatement): void {
  const json = statement.toStatementJson();
  if (json.Effect === 'Deny') {
    return;
  }
  const open = json.NotPrincipal !== undefined ? 'NotPrincipal (every principal but the ones named)'
    : isOpenPrincipal(json.Principal) ? 'every principal ("*")' : undefined;
  if (open !== undefined && !pinsPrincipal(json.Condition)) {
    throw propError(scope, constructType, 'resource policy',
      `statement ${show(json.Sid ?? '')} allows ${open} without a condition that restricts who the principal is `
      + `(got ${show(json.Condition ?? {})}); allow named accounts, an organization (aws:PrincipalOrgID) or a service `
      + `principal with source conditions, or add one of ${Object.keys(PINNING_KEYS).join(', ')} under StringEquals, `
      + 'ArnEquals, StringLike or ArnLike with values that name an exact account, organization or resource '
      + '(no ForAllValues:, no IfExists, no wildcard in the account or organization)');
  }
}

const WILDCARD = /[*?]/;

/** An ARN that names one resource exactly, or whose wildcards leave its account field a fixed account. */
const pinsArn = (value: string) => value.startsWith('arn:')
  && (!WILDCARD.test(value) || ACCOUNT_ID.test(value.split(':')[4] ?? ''));
/** An organization path whose first segment is a fixed organization (`o-a1b2c3d4e5/r-ab12/*`). */
const pinsOrgPath = (value: string) => ORGANIZATION_ID.test(value.split('/')[0]) && value.includes('/');

/** Condition keys that say who the principal (or the calling resource) is, and when a value pins it. */
const PINNING_KEYS: Record<string, (value: string) => boolean> = {
  'aws:PrincipalAccount': (v) => ACCOUNT_ID.test(v),
  'aws:SourceAccount': (v) => ACCOUNT_ID.test(v),
  'aws:PrincipalOrgID': (v) => ORGANIZATION_ID.test(v),
  'aws:SourceOrgID': (v) => ORGANIZATION_ID.test(v),
  'aws:PrincipalOrgPaths': pinsOrgPath,
  'aws:SourceOrgPaths': pinsOrgPath,
  'aws:PrincipalArn': pinsArn,
  'aws:SourceArn': pinsArn,
};
const PINNING_BY_LOWER_CASE = new Map(Object.entries(PINNING_KEYS).map(([key, pins]) => [key.toLowerCase(), pins]));
/** Operators that compare values; `IfExists` and `ForAllValues:` (true when the key is absent) are not among them. */
const POSITIVE_OPERATOR = /^(ForAnyValue:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/;

/** Whether a statement's `Condition` pins who the principal is (see `assertNotOpenToAll`). */
function pinsPrincipal(condition: unknown): boolean {
  if (!condition || typeof condition !== 'object') {
    return false;
  }
  return Object.entries(condition).some(([operator, keys]) => POSITIVE_OPERATOR.test(operator)
    && keys !== null && typeof keys === 'object'
    && Object.entries(keys as object).some(([key, value]) => {
      const pins = PINNING_BY_LOWER_CASE.get(key.toLowerCase());
      return pins !== undefined && everyValuePins(value, pins);
    }));
}

/** Non-empty, and every value pins (a value list matches when any of them does, so each must). */
function everyValuePins(value: unknown, pins: (value: string) => boolean): boolean {
  const values = Array.isArray(value) ? value : [value];
  return values.length > 0 && values.every((v) => Token.isUnresolved(v)
    || (typeof v === 'string' && pins(v))
    || (typeof v === 'object' && v !== null && !Array.isArray(v)));
}

function isOpenPrincipal(principal: unknown): boolean {
  if (principal === '*') {
    return true;
  }
  if (principal && typeof principal === 'object') {
    const aws = (principal as { AWS?: unknown }).AWS;
    return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
  }
  return false;
}
