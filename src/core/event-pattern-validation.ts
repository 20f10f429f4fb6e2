import { Annotations, IAspect, aws_events as events } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { rulePatternProblems } from '../private/pattern-check';

/**
 * Properties of {@link EventPatternValidation}.
 */
export interface EventPatternValidationProps {
  /**
   * Report problems as warnings instead of errors (errors fail `cdk synth`).
   *
   * @default false
   */
  readonly warnOnly?: boolean;
}

/**
 * An aspect that checks the event pattern of every `AWS::Events::Rule` in its scope — including rules written
 * with plain aws-cdk-lib or as L1 `CfnRule`s — against EventBridge's pattern language at synth, so that a bad
 * pattern fails `cdk synth` with its path and EventBridge's wording instead of failing the deployment.
 *
 * @example
 * declare const app: App;
 * Aspects.of(app).add(new EventPatternValidation());
 */
export class EventPatternValidation implements IAspect {
  private readonly warnOnly: boolean;

  constructor(props: EventPatternValidationProps = {}) {
    this.warnOnly = props.warnOnly ?? false;
  }

  public visit(node: IConstruct): void {
    if (!(node instanceof events.CfnRule)) {
      return;
    }
    for (const problem of rulePatternProblems(node)) {
      const message = `invalid event pattern at ${problem}`;
      if (this.warnOnly) {
        Annotations.of(node).addWarningV2('cdk-eventbridge-blueprints:invalidEventPattern', message);
      } else {
        Annotations.of(node).addError(message);
      }
    }
  }
}
