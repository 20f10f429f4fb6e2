import { aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError } from './errors';

/**
 * `alarms: false` with `alarmActions` is a contradiction — actions for alarms that are not created — and every
 * construct that takes both refuses it the same way, at synth, naming itself (rather than dropping the actions
 * silently, or letting a nested construct complain under another path). The one home of that rule.
 */
export function checkAlarmOptions(scope: IConstruct, type: string, alarms: boolean | undefined,
  alarmActions: cloudwatch.IAlarmAction[] | undefined): void {
  if (alarms === false && alarmActions !== undefined && alarmActions.length > 0) {
    throw propError(scope, type, 'alarmActions', 'cannot be used with alarms: false, which creates no alarm to act on');
  }
}
