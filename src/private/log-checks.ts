import { Token, aws_logs as logs } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError, show } from './errors';

/** CloudWatch Logs log group names: 1-512 characters of `A-Z a-z 0-9 . - _ / #`. */
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

/** The retention values CloudWatch Logs accepts (`RetentionDays`), in days; `INFINITE` is 9999 in aws-cdk-lib. */
const RETENTION_DAYS = new Set(Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number'));

/** Throws when a resolved log group name is not one CloudWatch Logs accepts. */
export function checkLogGroupName(scope: IConstruct, constructType: string, prop: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) {
    return;
  }
  if (!LOG_GROUP_NAME.test(name) || name.startsWith('aws/')) {
    throw propError(scope, constructType, prop,
      `must be 1 to 512 characters of letters, digits, ".", "-", "_", "/" or "#", not starting with "aws/", got ${show(name)}`);
  }
}

/** Throws when a resolved retention is not one of CloudWatch Logs' values. */
export function checkLogRetention(scope: IConstruct, constructType: string, prop: string, retention: logs.RetentionDays | undefined): void {
  if (retention === undefined || Token.isUnresolved(retention)) {
    return;
  }
  if (!RETENTION_DAYS.has(retention)) {
    throw propError(scope, constructType, prop,
      `must be one of CloudWatch Logs' retention periods (logs.RetentionDays: 1, 3, 5, 7, 14, 30, ... 3653 days), got ${show(retention)}`);
  }
}
