/**
 * Which target gets which input: lead events routed offline through the synthesized blueprint (EventRouter), the
 * input transformer's output included.
 */
import { App, SecretValue, Stack, aws_events as events, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { MarketingDelivery, SaasCrmToMarketing } from '../../../src/blueprints/saas-crm';
import { EventRouter } from '../../../src/testing';

const SALESFORCE = 'aws.partner/salesforce.com/00D5f000005KcCnEAK/0YL5f000000CabWGAS';
const ENV = { account: '111111111111', region: 'eu-west-1' };
const TIME = '2026-11-30T12:00:00Z';

function build(delivery: (stack: Stack) => MarketingDelivery): { router: EventRouter; blueprint: SaasCrmToMarketing } {
  const stack = new Stack(new App(), 'Crm', { env: ENV });
  const signingSecret = secretsmanager.Secret.fromSecretNameV2(stack, 'Signing', 'crm/signing');
  const blueprint = new SaasCrmToMarketing(stack, 'Crm', {
    partnerEventSource: { eventSourceName: SALESFORCE },
    webhook: { signingSecret },
    delivery: delivery(stack),
  });
  return { router: EventRouter.fromStack(stack), blueprint };
}

/** A Salesforce Change Data Capture event of a Lead, as Event Relay puts it on the partner bus. */
function leadChange(changeType: string, payload: Record<string, unknown> = {}, detailType = 'LeadChangeEvent') {
  return {
    'id': 'c0ffee00-0000-4000-8000-000000000001',
    'detail-type': detailType,
    'source': SALESFORCE,
    'time': TIME,
    'detail': {
      payload: {
        ChangeEventHeader: {
          entityName: 'Lead',
          recordIds: ['00Q5f000001abcDEAQ'],
          changeType,
          changedFields: ['Email', 'Phone', 'LastModifiedDate'],
          changeOrigin: 'com/salesforce/api/soap/60.0;client=SfdcInternalAPI/',
          transactionKey: '0001ade9-3f74-0b99-dbc4-42e73424b774',
          sequenceNumber: 1,
          commitTimestamp: 1796040000000,
          commitUser: '0055f000005mc66AAA',
        },
        Email: 'ada@example.com',
        Phone: '+44 20 7946 0000',
        // Event Relay sends date-times as epoch milliseconds (Avro timestamp-millis).
        LastModifiedDate: 1796039998000,
        ...payload,
      },
      schemaId: 'I8b-dYxvxs5wOtCBr4qsew',
      id: 'f5f5e1b2-0000-4000-8000-000000000002',
    },
  };
}

describe('API destination delivery', () => {
  const { router, blueprint } = build(() => MarketingDelivery.apiDestination({
    endpoint: 'https://marketing.example.com/contacts/*',
    authorization: events.Authorization.apiKey('X-Api-Key', SecretValue.secretsManager('marketing/api-key')),
  }));

  test('a Salesforce lead update reaches the API destination as a contact: allowed fields only, absent ones empty', () => {
    const deliveries = router.route(leadChange('UPDATE'), { eventBus: SALESFORCE });
    expect(deliveries).toHaveLength(1);
    const [d] = deliveries;
    expect(d.target.resourceType).toBe('AWS::Events::ApiDestination');
    expect(d.target.logicalId).toBe(EventRouter.logicalIdOf(blueprint.apiDestination!.node.findChild('ApiDestination')));
    expect(d.target.hasRole).toBe(true);
    expect(d.target.deadLetterQueue?.logicalId).toBeDefined();
    expect(d.input).toEqual({
      externalId: '00Q5f000001abcDEAQ',
      email: 'ada@example.com',
      // The change event carries only the changed fields: the others arrive empty.
      firstName: '',
      lastName: '',
      company: '',
      leadStatus: '',
      emailOptOut: '',
      updatedAt: 1796039998000,
      eventId: 'c0ffee00-0000-4000-8000-000000000001',
    });
    // The phone number changed too, but it is not on the allowlist: it never leaves the account.
    expect(d.inputText).not.toContain('7946');
    expect(d.warnings).toEqual(['variables whose path matched nothing (left empty): detail-payload-Name-FirstName, detail-payload-Name-LastName, '
      + 'detail-payload-Company, detail-payload-Status, detail-payload-HasOptedOutOfEmail']);
  });

  test('a created lead with its compound Name field fills first and last name', () => {
    const [d] = router.route(leadChange('CREATE', { Name: { FirstName: 'Ada', LastName: 'Lovelace' }, Company: 'Analytical Engines', Status: 'Open - Not Contacted', HasOptedOutOfEmail: true }), { eventBus: SALESFORCE });
    expect(d.input).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Engines', leadStatus: 'Open - Not Contacted', emailOptOut: true });
  });

  test('an undeleted lead is delivered; a deleted lead, a gap event and another object are not', () => {
    expect(router.route(leadChange('UNDELETE'), { eventBus: SALESFORCE })).toHaveLength(1);
    expect(router.route(leadChange('DELETE'), { eventBus: SALESFORCE })).toEqual([]);
    expect(router.route(leadChange('GAP_UPDATE'), { eventBus: SALESFORCE })).toEqual([]);
    expect(router.route(leadChange('UPDATE', {}, 'AccountChangeEvent'), { eventBus: SALESFORCE })).toEqual([]);
  });

  test('a lead event from another partner source on the partner bus is not delivered', () => {
    const event = { ...leadChange('UPDATE'), source: 'aws.partner/salesforce.com/00Dother/0YLother' };
    expect(router.route(event, { eventBus: SALESFORCE })).toEqual([]);
  });

  test('the webhook\'s LeadUpdated reaches the same API destination through the generic preset', () => {
    const event = {
      'id': 'evt-webhook-1',
      'source': 'com.example.crm.webhook',
      'detail-type': 'LeadUpdated',
      'time': TIME,
      'detail': { leadId: 'L-42', updatedAt: '2026-11-30T11:59:00Z', email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper', phone: '+1 555 0100', emailOptOut: false },
    };
    const deliveries = router.route(event, { eventBus: EventRouter.eventBusId(blueprint.eventBus!) });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0].target.resourceType).toBe('AWS::Events::ApiDestination');
    expect(deliveries[0].input).toEqual({
      externalId: 'L-42',
      email: 'grace@example.com',
      firstName: 'Grace',
      lastName: 'Hopper',
      company: '',
      leadStatus: '',
      emailOptOut: false,
      updatedAt: '2026-11-30T11:59:00Z',
      eventId: 'evt-webhook-1',
    });
  });

  test('a Salesforce event put on the webhook bus reaches nothing (each bus has its own format)', () => {
    expect(router.route(leadChange('UPDATE'), { eventBus: EventRouter.eventBusId(blueprint.eventBus!) })).toEqual([]);
  });
});

describe('Lambda delivery', () => {
  const { router, blueprint } = build((stack) => MarketingDelivery.lambda({ marketingSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Marketing', 'crm/marketing') }));

  test('the upsert function gets the same contact as its event', () => {
    const [d] = router.route(leadChange('UPDATE'), { eventBus: SALESFORCE });
    expect(d.target.resourceType).toBe('AWS::Lambda::Function');
    expect(d.target.logicalId).toBe(EventRouter.logicalIdOf(blueprint.defaultUpsertFunction!.function));
    expect(d.input).toMatchObject({ externalId: '00Q5f000001abcDEAQ', email: 'ada@example.com', eventId: 'c0ffee00-0000-4000-8000-000000000001' });
    expect(Object.keys(d.input)).not.toContain('phone');
  });
});
