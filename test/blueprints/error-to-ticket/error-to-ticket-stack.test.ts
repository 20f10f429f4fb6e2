import { App, SecretValue, Stack, aws_events as events, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ErrorToTicket, ErrorToTicketStack, TicketDelivery } from '../../../src/blueprints/error-to-ticket';
import { stableTemplate } from '../../helpers';
import { nagFindings } from '../../nag';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ticketing-AbCdEf';

describe('ErrorToTicketStack with its defaults', () => {
  let stack: ErrorToTicketStack;
  beforeAll(() => {
    const app = new App();
    // An imported secret is only an ARN: a scope outside the app will do (an empty stack would not synthesize cleanly).
    const imports = new Stack(new App(), 'Imports', { env: ENV });
    stack = new ErrorToTicketStack(app, 'ErrorToTicket', {
      env: ENV,
      ticketingSecret: secretsmanager.Secret.fromSecretCompleteArn(imports, 'Secret', SECRET_ARN),
    });
  });

  test('holds the blueprint with the construct id ErrorToTicket', () => {
    expect(stack.blueprint).toBeInstanceOf(ErrorToTicket);
    expect(stack.blueprint.node.id).toBe('ErrorToTicket');
    expect(stack.blueprint.node.scope).toBe(stack);
  });

  test('passes the stack props through (env)', () => {
    expect(stack.region).toBe('eu-west-1');
    expect(stack.account).toBe('111111111111');
  });

  test('has zero unacknowledged cdk-nag findings', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('synthesizes the expected template', () => {
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 1);
    expect(stableTemplate(stack)).toMatchSnapshot();
  });
});

describe('ErrorToTicketStack with the API destination delivery', () => {
  test('has zero unacknowledged cdk-nag findings', () => {
    const stack = new ErrorToTicketStack(new App(), 'ApiTickets', {
      env: ENV,
      delivery: TicketDelivery.apiDestination({
        endpoint: 'https://tickets.example.com/api',
        authorization: events.Authorization.apiKey('X-Api-Key', SecretValue.secretsManager('ticketing-api-key')),
      }),
    });
    expect(nagFindings(stack)).toEqual([]);
    Template.fromStack(stack).resourceCountIs('AWS::Events::ApiDestination', 1);
  });
});
