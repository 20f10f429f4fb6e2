import { App, Duration, aws_s3 as s3, aws_sns as sns } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IotDeviceManagement, IotDeviceManagementStack } from '../../../src/blueprints/iot-devices';
import { FIREHOSE_S3_ACTIONS } from '../../../src/blueprints/iot-devices/private/firehose-access';
import { stableTemplate } from '../../helpers';
import { nagFindings } from '../../nag';

const ENV = { account: '111111111111', region: 'eu-west-1' };

describe('IotDeviceManagementStack with its defaults', () => {
  let stack: IotDeviceManagementStack;
  beforeAll(() => {
    stack = new IotDeviceManagementStack(new App(), 'IotDevices', { env: ENV });
  });

  test('holds the blueprint with the construct id IotDeviceManagement', () => {
    expect(stack.blueprint).toBeInstanceOf(IotDeviceManagement);
    expect(stack.blueprint.node.id).toBe('IotDeviceManagement');
    expect(stack.blueprint.node.scope).toBe(stack);
  });

  test('the analysis stream\'s S3 destination role may write and read what Firehose needs, and delete nothing', () => {
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const [, policy] = Object.entries<any>(policies).find(([id]) => id.includes('AnalysisStreamS3DestinationRole'))!;
    const actions = policy.Properties.PolicyDocument.Statement.flatMap((st: any) => [st.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(FIREHOSE_S3_ACTIONS));
    expect(actions.filter((a: string) => a.startsWith('s3:'))).toEqual(FIREHOSE_S3_ACTIONS);
    expect(actions.filter((a: string) => a.includes('Delete') || a.endsWith('*'))).toEqual([]);
  });

  test('has zero unacknowledged cdk-nag findings', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('synthesizes the expected template', () => {
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IoT::TopicRule', 1);
    template.resourceCountIs('AWS::Pipes::Pipe', 1);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(stableTemplate(stack)).toMatchSnapshot();
  });
});

describe('IotDeviceManagementStack with options', () => {
  test('an escalation topic and error codes: zero unacknowledged findings (the test\'s topic aside)', () => {
    const stack = new IotDeviceManagementStack(new App(), 'WithTopic', { env: ENV, faultErrorCodes: ['E42'] });
    new IotDeviceManagement(stack, 'Second', {
      escalationTopic: new sns.Topic(stack, 'Escalations', { enforceSSL: true }),
      statusTopic: 'second/+/status',
    });
    expect(nagFindings(stack, ['Escalations'])).toEqual([]);
  });

  test('heartbeatTimeout (a check function, its schedule, the last-seen table): zero unacknowledged findings', () => {
    const stack = new IotDeviceManagementStack(new App(), 'Heartbeats', { env: ENV, heartbeatTimeout: Duration.minutes(15) });
    expect(nagFindings(stack)).toEqual([]);
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 1);
  });

  test('your own bucket: the only findings are the Firehose role\'s grants on it, which are yours to judge', () => {
    const stack = new IotDeviceManagementStack(new App(), 'OwnBucket', { env: ENV });
    new IotDeviceManagement(stack, 'Second', {
      analysisBucket: s3.Bucket.fromBucketName(stack, 'Own', 'own-analysis'),
      statusTopic: 'second/+/status',
    });
    const findings = nagFindings(stack);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.filter((f) => !(f.startsWith('AwsSolutions-IAM5') && f.includes('Second/AnalysisStream/S3 Destination Role')))).toEqual([]);
  });
});
