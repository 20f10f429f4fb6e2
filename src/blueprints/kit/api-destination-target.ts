import {
  aws_events as events,
  aws_iam as iam,
} from 'aws-cdk-lib';

/**
 * Properties of an {@link ApiDestinationTarget}.
 */
export interface ApiDestinationTargetProps {
  /**
   * The role EventBridge assumes to invoke the API destination. It is granted `events:InvokeApiDestination` on the
   * destination (in the resource format IAM expects, `apiDestinationArnForPolicy`, when it is known).
   */
  readonly role: iam.IRole;

  /**
   * What the API destination receives as the HTTP body.
   *
   * @default - the matched event
   */
  readonly event?: events.RuleTargetInput;

  /**
   * Values for the `*` wildcards of the destination's endpoint, in order: literals or JSON paths of the event
   * (`$.detail.leadId`).
   *
   * @default - none
   */
  readonly pathParameterValues?: string[];

  /**
   * Static HTTP headers of every call (secret headers belong on the connection).
   *
   * @default - none
   */
  readonly headerParameters?: { [name: string]: string };
}

/**
 * A rule target that calls an EventBridge API destination with a role you give, granted
 * `events:InvokeApiDestination` here. aws-cdk-lib has no grant method for invoking an API destination
 * (aws/aws-cdk#30386); this target writes the one statement the role needs, scoped to the destination.
 */
export class ApiDestinationTarget implements events.IRuleTarget {
  constructor(private readonly apiDestination: events.IApiDestination, private readonly props: ApiDestinationTargetProps) {}

  /** Returns the target configuration and grants the role `events:InvokeApiDestination`. */
  public bind(_rule: events.IRuleRef, _id?: string): events.RuleTargetConfig {
    iam.Grant.addToPrincipal({
      grantee: this.props.role,
      actions: ['events:InvokeApiDestination'],
      resourceArns: [this.apiDestination.apiDestinationArnForPolicy ?? this.apiDestination.apiDestinationArn],
    });
    const { pathParameterValues, headerParameters } = this.props;
    return {
      arn: this.apiDestination.apiDestinationArn,
      role: this.props.role,
      input: this.props.event,
      targetResource: this.apiDestination,
      httpParameters: pathParameterValues !== undefined || headerParameters !== undefined
        ? { pathParameterValues, headerParameters }
        : undefined,
    };
  }
}
