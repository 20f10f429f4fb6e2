import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ErrorToTicket, ErrorToTicketProps } from './error-to-ticket';

/**
 * Properties of an {@link ErrorToTicketStack}.
 */
export interface ErrorToTicketStackProps extends StackProps, ErrorToTicketProps {}

/**
 * The error-to-ticket blueprint as a stack of its own.
 */
export class ErrorToTicketStack extends Stack {
  /** The blueprint. */
  public readonly blueprint: ErrorToTicket;

  constructor(scope: Construct, id: string, props: ErrorToTicketStackProps = {}) {
    super(scope, id, props);
    this.blueprint = new ErrorToTicket(this, 'ErrorToTicket', props);
  }
}
