import { Duration, SecretValue, Stack, aws_events as events, aws_lambda as lambda } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ErrorToTicket, TicketDelivery } from '../../../src/blueprints/error-to-ticket';
import { HandlerDelivery } from '../../../src/blueprints/kit';
import { MarketingDelivery, SaasCrmToMarketing } from '../../../src/blueprints/saas-crm';

import { SALESFORCE, newStack, secret } from '../saas-crm/fixtures';

const apiKey = () => events.Authorization.apiKey('X-Api-Key', SecretValue.secretsManager('api-key'));

describe('HandlerDelivery: the one delivery type of ErrorToTicket and SaasCrmToMarketing', () => {
  test('the deprecated TicketDelivery and MarketingDelivery are HandlerDelivery, with the same kinds and options', () => {
    const ticket = TicketDelivery.apiDestination({ endpoint: 'https://tickets.example.com', authorization: apiKey() });
    const marketing = MarketingDelivery.lambda({ httpTimeout: Duration.seconds(2) });
    expect(ticket).toBeInstanceOf(HandlerDelivery);
    expect(marketing).toBeInstanceOf(HandlerDelivery);
    expect([ticket.kind, marketing.kind]).toEqual(['apiDestination', 'lambda']);
    expect(HandlerDelivery.viaApiDestination({ endpoint: 'https://x.example.com' }).kind).toBe('apiDestination');
    expect(HandlerDelivery.viaLambda().kind).toBe('lambda');
    expect(marketing.lambdaOptions?.httpTimeout?.toSeconds()).toBe(2);
  });

  test('ErrorToTicket takes HandlerDelivery.viaApiDestination(): an API destination, and no function or table', () => {
    const stack = newStack();
    const blueprint = new ErrorToTicket(stack, 'Tickets', {
      delivery: HandlerDelivery.viaApiDestination({ endpoint: 'https://tickets.example.com/api', authorization: apiKey(), rateLimitPerSecond: 5 }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::ApiDestination', { InvocationEndpoint: 'https://tickets.example.com/api', InvocationRateLimitPerSecond: 5 });
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(blueprint.ticketFunction).toBeUndefined();
  });

  test('ErrorToTicket takes HandlerDelivery.viaLambda({ handler }): your function is the target', () => {
    const stack = newStack();
    const handler = lambda.Function.fromFunctionArn(stack, 'Mine', 'arn:aws:lambda:eu-west-1:111111111111:function:mine');
    const blueprint = new ErrorToTicket(stack, 'Tickets', { delivery: HandlerDelivery.viaLambda({ handler }) });
    expect(blueprint.ticketFunction).toBe(handler);
    expect(blueprint.defaultTicketFunction).toBeUndefined();
  });

  test.each([
    ['secret', (stack: Stack) => HandlerDelivery.viaLambda({ secret: secret(stack, 's') }),
      "ErrorToTicket 'Test/Tickets': delivery secret is not used by ErrorToTicket: give the ticketing system's secret as the blueprint prop ticketingSecret"],
    ['maxRetryAfter', () => HandlerDelivery.viaLambda({ maxRetryAfter: Duration.seconds(5) }),
      "ErrorToTicket 'Test/Tickets': delivery maxRetryAfter is not used by ErrorToTicket: only the upsert function of SaasCrmToMarketing waits on Retry-After"],
  ])('ErrorToTicket refuses the Lambda option it does not use: %s', (_name, delivery, message) => {
    const stack = newStack();
    expect(() => new ErrorToTicket(stack, 'Tickets', { delivery: delivery(stack), ticketingSecret: secret(stack, 't') })).toThrow(message);
  });

  test.each([
    [Duration.millis(999), 'got 999 ms'],
    [Duration.minutes(11), 'got 660000 ms'],
  ])('ErrorToTicket bounds the Lambda delivery\'s httpTimeout to 1 second - 10 minutes (%s)', (httpTimeout, got) => {
    const stack = newStack();
    expect(() => new ErrorToTicket(stack, 'Tickets', { delivery: HandlerDelivery.viaLambda({ httpTimeout }), ticketingSecret: secret(stack, 't') }))
      .toThrow(`ErrorToTicket 'Test/Tickets': delivery httpTimeout must be between 1000 ms (1 second) and 600000 ms (10 minutes), ${got}`);
    const ok = newStack();
    expect(() => new ErrorToTicket(ok, 'Tickets', { delivery: HandlerDelivery.viaLambda({ httpTimeout: Duration.minutes(10) }), ticketingSecret: secret(ok, 't') }))
      .not.toThrow();
  });

  test('ErrorToTicket names the factory the user called in its messages', () => {
    const stack = newStack();
    const delivery = HandlerDelivery.viaApiDestination({ endpoint: 'https://tickets.example.com', authorization: apiKey() });
    expect(() => new ErrorToTicket(stack, 'Tickets', { delivery, dedupWindow: Duration.hours(1) })).toThrow(
      "ErrorToTicket 'Test/Tickets': dedupWindow cannot be used with HandlerDelivery.viaApiDestination(): EventBridge API destinations do not deduplicate; "
      + 'use HandlerDelivery.viaLambda() for one ticket per fingerprint');
  });

  test('SaasCrmToMarketing takes HandlerDelivery.viaLambda({ secret }): the upsert function reads and may read that secret', () => {
    const stack = newStack();
    const blueprint = new SaasCrmToMarketing(stack, 'Crm', {
      partnerEventSource: { eventSourceName: SALESFORCE },
      delivery: HandlerDelivery.viaLambda({ secret: secret(stack, 'marketing') }),
    });
    const template = Template.fromStack(stack);
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))
      .find((f: any) => f.Properties.Environment?.Variables?.MARKETING_SECRET_ARN !== undefined) as any;
    expect(fn.Properties.Environment.Variables.MARKETING_SECRET_ARN).toBe('arn:aws:secretsmanager:eu-west-1:111111111111:secret:marketing-AbCdEf');
    expect(blueprint.defaultUpsertFunction).toBeDefined();
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain('secret:marketing-AbCdEf');
  });

  test('SaasCrmToMarketing: the Lambda delivery without a secret names `secret`; with both names, refused', () => {
    const props = (delivery: HandlerDelivery) => ({ partnerEventSource: { eventSourceName: SALESFORCE }, delivery });
    expect(() => new SaasCrmToMarketing(newStack(), 'Crm', props(HandlerDelivery.viaLambda()))).toThrow(
      "SaasCrmToMarketing 'Test/Crm': delivery secret is required with the default upsert function");
    const stack = newStack();
    expect(() => new SaasCrmToMarketing(stack, 'Crm', props(MarketingDelivery.lambda({ secret: secret(stack, 'a'), marketingSecret: secret(stack, 'b') }))))
      .toThrow("SaasCrmToMarketing 'Test/Crm': delivery marketingSecret is the former name of delivery secret: give one of the two");
  });
});
