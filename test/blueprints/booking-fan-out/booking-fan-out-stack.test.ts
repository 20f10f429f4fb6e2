import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BookingFanOut, BookingFanOutStack } from '../../../src/blueprints/booking-fan-out';
import { stableTemplate } from '../../helpers';
import { nagFindings } from '../../nag';

describe('BookingFanOutStack', () => {
  let stack: BookingFanOutStack;
  let template: Template;
  beforeAll(() => {
    stack = new BookingFanOutStack(new App(), 'BookingFanOut', {
      env: { account: '111111111111', region: 'eu-west-1' },
      description: 'Booking fan-out',
      senderAddress: 'Example Air <bookings@example.com>',
    });
    template = Template.fromStack(stack);
  });

  test('holds the blueprint with its defaults', () => {
    expect(stack.blueprint).toBeInstanceOf(BookingFanOut);
    expect(stack.blueprint.node.id).toBe('BookingFanOut');
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    template.resourceCountIs('AWS::Lambda::Function', 3);
  });

  test('stack props and blueprint props both apply', () => {
    expect(stack.templateOptions.description).toBe('Booking fan-out');
    expect(stack.account).toBe('111111111111');
    const other = new BookingFanOutStack(new App(), 'Other', { senderAddress: 'a@example.com', bookingSource: 'com.acme.bookings' });
    expect(other.blueprint.bookingConfirmed.source).toBe('com.acme.bookings');
  });

  test('cdk-nag AwsSolutions and Serverless find nothing', () => {
    expect(nagFindings(stack as Stack)).toEqual([]);
  });

  test('matches the snapshot', () => {
    expect(stableTemplate(stack)).toMatchSnapshot();
  });
});
