import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BookingFanOut, BookingFanOutProps } from './booking-fan-out';

/**
 * Properties of a {@link BookingFanOutStack}.
 */
export interface BookingFanOutStackProps extends StackProps, BookingFanOutProps {}

/**
 * The booking fan-out blueprint as a stack of its own, for teams that deploy it separately.
 */
export class BookingFanOutStack extends Stack {
  /** The blueprint. */
  public readonly blueprint: BookingFanOut;

  constructor(scope: Construct, id: string, props: BookingFanOutStackProps) {
    super(scope, id, props);
    this.blueprint = new BookingFanOut(this, 'BookingFanOut', props);
  }
}
