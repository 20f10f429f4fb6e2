import { App, Stack, aws_events as events, aws_iam as iam } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ApiDestinationTarget } from '../../../src/blueprints/kit';

function setup() {
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') });
  const connection = events.Connection.fromEventBusArn(stack, 'Connection', 'arn:aws:events:eu-west-1:111111111111:connection/c/abc',
    'arn:aws:secretsmanager:eu-west-1:111111111111:secret:events!connection/c/abc-AbCdEf');
  return { stack, role, connection };
}

test('grants events:InvokeApiDestination on the ARN in resource format and binds role, input and HTTP parameters', () => {
  const { stack, role, connection } = setup();
  const destination = new events.ApiDestination(stack, 'Destination', { connection, endpoint: 'https://api.example.com/items/*' });
  new events.Rule(stack, 'Rule', {
    eventPattern: { source: ['com.example'] },
    targets: [new ApiDestinationTarget(destination, {
      role,
      event: events.RuleTargetInput.fromObject({ id: events.EventField.fromPath('$.detail.id') }),
      pathParameterValues: ['$.detail.id'],
      headerParameters: { 'X-Source': 'rule' },
    })],
  });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: [{ Action: 'events:InvokeApiDestination', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('Destination'), 'ArnForPolicy'] } }] },
  });
  template.hasResourceProperties('AWS::Events::Rule', {
    Targets: [Match.objectLike({
      Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Destination'), 'Arn'] },
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Role'), 'Arn'] },
      HttpParameters: { PathParameterValues: ['$.detail.id'], HeaderParameters: { 'X-Source': 'rule' } },
      InputTransformer: { InputPathsMap: { 'detail-id': '$.detail.id' }, InputTemplate: '{"id":<detail-id>}' },
    })],
  });
});

test('an imported destination without its policy ARN is granted on its ARN; no HTTP parameters when none are given', () => {
  const { stack, role, connection } = setup();
  const arn = 'arn:aws:events:eu-west-1:111111111111:api-destination/d/11111111-1111-1111-1111-111111111111';
  const destination = events.ApiDestination.fromApiDestinationAttributes(stack, 'Imported', { apiDestinationArn: arn, connection });
  new events.Rule(stack, 'Rule', { eventPattern: { source: ['com.example'] }, targets: [new ApiDestinationTarget(destination, { role })] });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: [Match.objectLike({ Action: 'events:InvokeApiDestination', Resource: arn })] } });
  const rule = Object.values(template.findResources('AWS::Events::Rule'))[0];
  expect(rule.Properties.Targets[0].HttpParameters).toBeUndefined();
  expect(rule.Properties.Targets[0].Input).toBeUndefined();
});
