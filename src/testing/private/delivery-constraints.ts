import { ModelBus, ModelRule, ModelTarget } from './template-model';
import { EVENT_AGE_SECONDS_MAX, EVENT_AGE_SECONDS_MIN, RETRY_ATTEMPTS_MAX, RETRY_ATTEMPTS_MIN } from '../../private/retry-bounds';
import { placementProblem, targetKindOf } from '../../private/target-kinds';
import { InputTransformation } from '../input-transformer';
import { NonDeliveryReason } from '../route-explanation';

/**
 * What EventBridge documents about which targets can receive events at all, checked on the template before any
 * event is routed. Each check cites its page; what is not documented is not checked (see the README's list).
 */

export const DOCS = {
  ruleState: 'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html',
  readOnly: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html',
  retryPolicy: 'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RetryPolicy.html',
  inputTransformer: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-events-rule-inputtransformer.html',
  predefinedVariables: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html',
  deadLetterQueue: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html',
  patterns: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html',
  busHops: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html',
};

/** A documented reason why a target receives nothing. */
export interface Blocked {
  readonly reason: NonDeliveryReason;
  readonly message: string;
  readonly documentation: string;
}

/** The ARN of a target as the model holds it: literal when resolved, else the referenced resource's type. */
function targetArnForKind(target: ModelTarget): string | undefined {
  if (target.arn.startsWith('arn:')) {
    return target.arn;
  }
  const byType: { [type: string]: string } = {
    'AWS::Lambda::Function': 'arn:aws:lambda:::function:x',
    'AWS::Lambda::Alias': 'arn:aws:lambda:::function:x',
    'AWS::SNS::Topic': 'arn:aws:sns:::x',
    'AWS::SQS::Queue': 'arn:aws:sqs:::x',
    'AWS::Kinesis::Stream': 'arn:aws:kinesis:::stream/x',
    'AWS::Logs::LogGroup': 'arn:aws:logs:::log-group:x',
    'AWS::KinesisFirehose::DeliveryStream': 'arn:aws:firehose:::deliverystream/x',
    'AWS::StepFunctions::StateMachine': 'arn:aws:states:::stateMachine:x',
    'AWS::ECS::Cluster': 'arn:aws:ecs:::cluster/x',
    'AWS::Batch::JobQueue': 'arn:aws:batch:::job-queue/x',
    'AWS::CodeBuild::Project': 'arn:aws:codebuild:::project/x',
    'AWS::Events::ApiDestination': 'arn:aws:events:::api-destination/x',
  };
  return byType[target.resourceType];
}

/**
 * Why a target of a rule cannot receive events, or undefined. The rule's bus gives the rule's account and
 * Region; the target's account and Region are known for literal ARNs and for resources of the rule's stack.
 */
export function blockedTarget(bus: ModelBus, target: ModelTarget): Blocked | undefined {
  if (target.deadLetterRegion !== undefined && target.deadLetterRegion !== bus.region) {
    return {
      reason: NonDeliveryReason.DEAD_LETTER_QUEUE_REGION,
      message: `target ${target.id}: its dead-letter queue ${target.deadLetterArn} is in ${target.deadLetterRegion}, the rule in ${bus.region}; `
        + 'the user guide does not state this limit, and aws-cdk-lib refuses such a queue',
      documentation: DOCS.deadLetterQueue,
    };
  }
  const arn = targetArnForKind(target);
  const kind = arn === undefined ? undefined : targetKindOf(arn);
  const problem = kind === undefined ? undefined : placementProblem(kind, target.account, target.region, target.hasRole, bus.account, bus.region);
  if (problem === undefined) {
    return undefined;
  }
  return { reason: NonDeliveryReason[problem.code], message: `target ${target.id}: ${problem.message}`, documentation: problem.documentation };
}

/**
 * Why a rule cannot deploy (PutRule / PutTargets refuse it, so CloudFormation fails and rolls back): every
 * problem, one line each, with the page that documents the limit.
 */
export function deployErrors(rule: ModelRule): Array<{ message: string; documentation: string }> {
  const out: Array<{ message: string; documentation: string }> = [];
  for (const t of rule.targets) {
    const range = (value: any, name: string, min: number, max: number) => {
      if (value === undefined || typeof value === 'object') {
        return; // absent, or a deploy-time value
      }
      const n = typeof value === 'string' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
        out.push({ message: `target ${t.id}: RetryPolicy.${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`, documentation: DOCS.retryPolicy });
      }
    };
    range(t.rawRetryAttempts, 'MaximumRetryAttempts', RETRY_ATTEMPTS_MIN, RETRY_ATTEMPTS_MAX);
    range(t.rawMaxEventAge, 'MaximumEventAgeInSeconds', EVENT_AGE_SECONDS_MIN, EVENT_AGE_SECONDS_MAX);
    if (t.deadLetterFifo) {
      out.push({ message: `target ${t.id}: the dead-letter queue ${t.deadLetterArn} is a FIFO queue; EventBridge dead-letter queues are standard SQS queues`, documentation: DOCS.deadLetterQueue });
    }
    const names = Object.keys(t.input.inputPathsMap ?? {});
    if (names.length > 100) {
      out.push({ message: `target ${t.id}: InputPathsMap has ${names.length} variables; at most 100 are allowed`, documentation: DOCS.inputTransformer });
    }
    for (const name of names) {
      if (/^aws\./i.test(name) && !InputTransformation.PREDEFINED_VARIABLES.includes(name)) {
        out.push({ message: `target ${t.id}: InputPathsMap variable ${JSON.stringify(name)} starts with "AWS.", which is reserved`, documentation: DOCS.inputTransformer });
      }
    }
    try {
      // The input options are checked the way PutTargets checks them: on their own, whatever the event.
      InputTransformation.transform(PROBE_EVENT, t.input, { targetId: t.id });
    } catch (e) {
      out.push({ message: `target ${t.id}: ${(e as Error).message}`, documentation: DOCS.predefinedVariables });
    }
  }
  return out;
}

const PROBE_EVENT = { 'version': '0', 'id': 'probe', 'detail-type': 'probe', 'source': 'probe', 'account': '', 'time': '', 'region': '', 'resources': [], 'detail': {} };

/**
 * The pattern with every list that holds a deploy-time value (`${Ref:...}`, `${GetAtt:...}`, ...) replaced by
 * `[{ "exists": true }]`: an event that matches this but not the pattern differs from it only where the template
 * has a value the router does not know.
 */
export function loosenPattern(pattern: any, depth = 0): any {
  if (depth > 64 || pattern === null || typeof pattern !== 'object' || Array.isArray(pattern)) {
    return pattern;
  }
  const out: any = {};
  for (const [k, v] of Object.entries(pattern)) {
    if (k === '$or' && Array.isArray(v)) {
      out[k] = v.map((sub) => loosenPattern(sub, depth + 1));
    } else if (Array.isArray(v)) {
      // A field's list of values (with prefix, anything-but, ... inside): the whole list, when it holds one.
      out[k] = hasTokenText(v) ? [{ exists: true }] : v;
    } else {
      out[k] = loosenPattern(v, depth + 1);
    }
  }
  return out;
}

const TOKEN_TEXT = /\$\{(Ref|GetAtt|ImportValue|Token):/;

function hasTokenText(value: any, depth = 0): boolean {
  if (typeof value === 'string') {
    return TOKEN_TEXT.test(value);
  }
  if (depth < 64 && value !== null && typeof value === 'object') {
    return Object.values(value).some((v) => hasTokenText(v, depth + 1));
  }
  return false;
}
