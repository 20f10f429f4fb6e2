import { App, SecretValue, Stack, aws_events as events, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MarketingDelivery, SaasCrmToMarketing, SaasCrmToMarketingStack } from '../../../src/blueprints/saas-crm';
import { stableTemplate } from '../../helpers';
import { nagFindings } from '../../nag';

const SALESFORCE = 'aws.partner/salesforce.com/00D5f000005KcCnEAK/0YL5f000000CabWGAS';

describe('SaasCrmToMarketingStack', () => {
  let stack: SaasCrmToMarketingStack;
  let template: Template;
  beforeAll(() => {
    const secrets = new Stack(new App(), 'Imports', { env: { account: '111111111111', region: 'eu-west-1' } });
    stack = new SaasCrmToMarketingStack(new App(), 'SaasCrm', {
      env: { account: '111111111111', region: 'eu-west-1' },
      description: 'CRM leads to marketing',
      partnerEventSource: { eventSourceName: SALESFORCE },
      webhook: { signingSecret: secretsmanager.Secret.fromSecretCompleteArn(secrets, 'Signing', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:crm/signing-AbCdEf') },
      delivery: MarketingDelivery.apiDestination({
        endpoint: 'https://marketing.example.com/contacts/*',
        httpMethod: events.HttpMethod.PUT,
        authorization: events.Authorization.apiKey('X-Api-Key', SecretValue.secretsManager('crm/marketing-api-key')),
      }),
    });
    template = Template.fromStack(stack);
  });

  test('holds the blueprint with both inbounds and one API destination', () => {
    expect(stack.blueprint).toBeInstanceOf(SaasCrmToMarketing);
    expect(stack.blueprint.node.id).toBe('SaasCrmToMarketing');
    expect(stack.templateOptions.description).toBe('CRM leads to marketing');
    template.resourceCountIs('AWS::Events::EventBus', 2);
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.resourceCountIs('AWS::Events::ApiDestination', 1);
    template.resourceCountIs('AWS::Lambda::Url', 1);
  });

  test('cdk-nag AwsSolutions and Serverless find nothing', () => {
    expect(nagFindings(stack as Stack)).toEqual([]);
  });

  test('with the Lambda delivery too', () => {
    const secrets = new Stack(new App(), 'Imports');
    const other = new SaasCrmToMarketingStack(new App(), 'Other', {
      partnerEventSource: { eventSourceName: SALESFORCE },
      delivery: MarketingDelivery.lambda({ marketingSecret: secretsmanager.Secret.fromSecretCompleteArn(secrets, 'Marketing', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:crm/marketing-AbCdEf') }),
    });
    expect(nagFindings(other as Stack)).toEqual([]);
  });

  test('matches the snapshot', () => {
    expect(stableTemplate(stack)).toMatchSnapshot();
  });
});
