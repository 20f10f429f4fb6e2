import { App } from 'aws-cdk-lib';
import { AuditedService, CloudTrailAuditStack } from '../src/blueprints/cloudtrail-audit';

/**
 * Adds the CloudTrail-to-audit example to the app: the default services plus Secrets Manager deletions, with the
 * trail, in us-east-1 (where EventBridge receives IAM's CloudTrail events).
 */
export function addCloudTrailAuditExamples(app: App): void {
  new CloudTrailAuditStack(app, 'CloudTrailAuditExample', {
    env: { region: 'us-east-1' },
    services: [
      ...AuditedService.defaults(),
      AuditedService.of({ source: 'aws.secretsmanager', eventNames: ['DeleteSecret', 'PutResourcePolicy'] }),
    ],
    createTrail: true,
  });
}
