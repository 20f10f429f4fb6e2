import { App, Stack, aws_events_targets as targets, aws_kms as kms, aws_sqs as sqs } from 'aws-cdk-lib';
import { ReliableRoute, SecureEventBus } from '../../src/core';
import { nagFindings } from '../nag';

describe('cdk-nag (AwsSolutions + Serverless) on the core constructs\' defaults', () => {
  let stack: Stack;
  beforeAll(() => {
    stack = new Stack(new App(), 'Nag', { env: { account: '111111111111', region: 'eu-west-1' } });
    const bus = new SecureEventBus(stack, 'Bus');
    bus.allowPutEventsFromOrganization('o-a1b2c3d4e5');
    bus.allowPutEventsFromAccounts(['222222222222']);
    new SecureEventBus(stack, 'CmkBus', { kmsKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    // A well-configured target queue (with its own redrive queue) as a user would bring it.
    const redrive = new sqs.Queue(stack, 'TargetRedrive', { enforceSSL: true });
    const queues = Array.from({ length: 7 }, (_, i) => new sqs.Queue(stack, `Target${i}`, {
      enforceSSL: true,
      deadLetterQueue: { queue: redrive, maxReceiveCount: 5 },
    }));
    new ReliableRoute(stack, 'Route', {
      eventBus: bus,
      eventPattern: { source: ['com.example'] },
      targets: [...queues.map((q) => new targets.SqsQueue(q)), new targets.EventBus(bus)],
    });
  });

  test('has zero unacknowledged findings', () => {
    expect(nagFindings(stack, ['TargetRedrive'])).toEqual([]);
  });

  test('would report a dead-letter queue that is not acknowledged (the check can fail)', () => {
    const bare = new Stack(new App(), 'Bare');
    new sqs.Queue(bare, 'Plain', { enforceSSL: true });
    expect(nagFindings(bare)).toEqual(expect.arrayContaining([expect.stringMatching(/^AwsSolutions-SQS3: Bare\/Plain/)]));
  });
});
