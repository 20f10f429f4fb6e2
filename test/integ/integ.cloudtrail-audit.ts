/**
 * CloudTrail to audit, deployed with its defaults on the account's default bus (no trail of its own), plus a KMS
 * key for the test to act on.
 *
 * Asserts: disabling the rotation of the test's key (a call in the default KMS selection) is recorded, through
 * CloudTrail and the default bus, as a log line in the audit log group naming the call and the key.
 *
 * Needs: a CloudTrail trail that logs management events in the account and Region of the test (most accounts have
 * one; EventBridge receives "AWS API Call via CloudTrail" events only then). The app does not create one
 * (`createTrail`): a second trail is billed, and its bucket, which receives log files, would outlive the test.
 * Not covered: IAM and other global services (their events reach EventBridge in us-east-1 only); forwarding to a
 * central audit bus in another account (one account here).
 */
import { App, Duration, RemovalPolicy, aws_kms as kms } from 'aws-cdk-lib';
import { awaitLogLine, integStack, integTest } from './support';
import { CloudTrailAudit } from '../../src/blueprints/cloudtrail-audit';

const app = new App();
const stack = integStack(app, 'EventBridgeBlueprintsIntegCloudTrailAudit');
const audit = new CloudTrailAudit(stack, 'Audit', { removalPolicy: RemovalPolicy.DESTROY });
const probeKey = new kms.Key(stack, 'ProbeKey', { enableKeyRotation: true, pendingWindow: Duration.days(7), removalPolicy: RemovalPolicy.DESTROY });

const integ = integTest(app, 'CloudTrailAudit', stack);

integ.assertions.awsApiCall('KMS', 'disableKeyRotation', { KeyId: probeKey.keyId })
  .next(awaitLogLine(integ, audit.logGroup, '"DisableKeyRotation"',
    `^(?=.*"eventName":"DisableKeyRotation")(?=.*${probeKey.keyId})`));

app.synth();
