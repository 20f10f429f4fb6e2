import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError, show } from './errors';

/**
 * What an AWS account ID and an AWS Organizations ID look like: the one home of these patterns, used by both buses'
 * `allow*` methods and by the resource-policy guard that decides whether a condition pins who the principal is.
 * https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html (Id: `^o-[a-z0-9]{10,32}$`)
 */
export const ACCOUNT_ID = /^\d{12}$/;
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/** Refuses an empty list, or an entry that is not a 12-digit account ID (a token passes: it is checked at deploy). */
export function checkAccountIds(scope: IConstruct, type: string, prop: string, accountIds: string[]): void {
  if (accountIds.length === 0) {
    throw propError(scope, type, prop, 'must name at least one account, got []');
  }
  for (const accountId of accountIds) {
    if (!Token.isUnresolved(accountId) && !ACCOUNT_ID.test(accountId)) {
      throw propError(scope, type, prop, `must be 12-digit AWS account IDs, got ${show(accountId)}`);
    }
  }
}

/** Refuses what is not an AWS Organizations ID (a token passes). */
export function checkOrganizationId(scope: IConstruct, type: string, prop: string, organizationId: string): void {
  if (!Token.isUnresolved(organizationId) && !ORGANIZATION_ID.test(organizationId)) {
    throw propError(scope, type, prop,
      `must be an AWS Organizations ID like "o-a1b2c3d4e5" (o- and 10 to 32 lowercase letters or digits), got ${show(organizationId)}`);
  }
}
