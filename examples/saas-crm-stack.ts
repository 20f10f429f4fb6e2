import { App, SecretValue, Stack, aws_events as events, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { MarketingDelivery, SaasCrmToMarketing, SaasCrmToMarketingStack } from '../src/blueprints/saas-crm';

/**
 * Adds the SaaS-CRM-to-marketing examples to the app: the stack with a Salesforce Event Relay partner source and the
 * code-free API destination delivery, and the construct with a signed webhook (for a CRM without a partner
 * integration) and the Lambda upsert delivery.
 */
export function addSaasCrmExamples(app: App): void {
  new SaasCrmToMarketingStack(app, 'SaasCrmExample', {
    description: 'cdk-eventbridge-blueprints example: Salesforce leads to a marketing API destination',
    // The partner event source Salesforce creates for an Event Relay (placeholder org and channel ids).
    partnerEventSource: { eventSourceName: 'aws.partner/salesforce.com/00Dxx0000000000EAA/0YLxx0000000000GAA' },
    delivery: MarketingDelivery.apiDestination({
      endpoint: 'https://marketing.example.com/api/contacts/*',
      httpMethod: events.HttpMethod.PUT,
      authorization: events.Authorization.apiKey('X-Api-Key', SecretValue.secretsManager('saas-crm/marketing-api-key')),
      rateLimitPerSecond: 5,
    }),
  });

  const stack = new Stack(app, 'SaasCrmWebhookExample', {
    description: 'cdk-eventbridge-blueprints example: signed CRM webhooks to a marketing tool through an idempotent upsert function',
  });
  new SaasCrmToMarketing(stack, 'SaasCrm', {
    // Create both secrets before deploying. The signing secret is shared with the CRM; the marketing secret is
    // {"endpoint": "https://.../contacts/{externalId}", "authorization": "Bearer ..."}.
    webhook: {
      signingSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'SigningSecret', 'saas-crm/webhook-signing'),
      source: 'com.example.crm.webhook',
    },
    allowedFields: ['leadId', 'email', 'firstName', 'lastName', 'emailOptOut', 'updatedAt'],
    delivery: MarketingDelivery.lambda({ marketingSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'MarketingSecret', 'saas-crm/marketing') }),
  });
}
