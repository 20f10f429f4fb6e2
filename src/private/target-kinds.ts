/**
 * Which targets EventBridge can reach from a rule, by target type: shared by `ReliableRoute` (a synth error for a
 * target it would create) and the offline router (a non-delivery with a reason).
 *
 * - Other accounts (same Region only): "EventBridge supports sending events to the following targets in other AWS
 *   accounts: API Gateway APIs, Kinesis Data Streams streams, Lambda functions, SNS topics, SQS queues", with "an
 *   execution role ... in the same account as the event bus" — and event buses (eb-cross-account.html).
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-cross-account.html
 * - Other Regions: only through an event bus there (eb-cross-region.html).
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html
 * - Execution role: "Amazon SQS, Amazon SNS, Lambda, CloudWatch Logs, and EventBridge bus targets do not use
 *   roles"; "API Gateway targets can either use resource-based policies or IAM roles"; the others (Kinesis, API
 *   destinations, Systems Manager, ECS, Step Functions, ...) are called with the role in `RoleArn`.
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-iam-roles.html
 *
 * Event buses are not classified here: bus-to-bus hops have their own rules (the router's hop warnings).
 */

/** How EventBridge reaches a kind of target. */
export interface TargetKind {
  readonly label: string;
  /** May be in another account of the same Region. */
  readonly crossAccount: boolean;
  /** EventBridge calls it only with the execution role in `RoleArn`. */
  readonly needsRole: boolean;
}

const CROSS_ACCOUNT_DOCS = 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-cross-account.html';
const CROSS_REGION_DOCS = 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html';
const ROLE_DOCS = 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-iam-roles.html';

const KINDS: { [service: string]: TargetKind } = {
  'lambda': { label: 'Lambda function', crossAccount: true, needsRole: false },
  'sns': { label: 'SNS topic', crossAccount: true, needsRole: false },
  'sqs': { label: 'SQS queue', crossAccount: true, needsRole: false },
  'execute-api': { label: 'API Gateway API', crossAccount: true, needsRole: false },
  'kinesis': { label: 'Kinesis data stream', crossAccount: true, needsRole: true },
  'logs': { label: 'CloudWatch Logs log group', crossAccount: false, needsRole: false },
  'firehose': { label: 'Firehose stream', crossAccount: false, needsRole: true },
  'states': { label: 'Step Functions state machine', crossAccount: false, needsRole: true },
  'ecs': { label: 'ECS task', crossAccount: false, needsRole: true },
  'batch': { label: 'Batch job queue', crossAccount: false, needsRole: true },
  'codebuild': { label: 'CodeBuild project', crossAccount: false, needsRole: true },
  'codepipeline': { label: 'CodePipeline pipeline', crossAccount: false, needsRole: true },
  'ssm': { label: 'Systems Manager target', crossAccount: false, needsRole: true },
  'redshift': { label: 'Redshift cluster', crossAccount: false, needsRole: true },
  'redshift-serverless': { label: 'Redshift Serverless workgroup', crossAccount: false, needsRole: true },
  'sagemaker': { label: 'SageMaker pipeline', crossAccount: false, needsRole: true },
  'inspector': { label: 'Inspector assessment template', crossAccount: false, needsRole: true },
};

const API_DESTINATION: TargetKind = { label: 'API destination', crossAccount: false, needsRole: true };

/** The kind of a target by its ARN, or undefined (an event bus, or a service the docs say nothing about). */
export function targetKindOf(arn: string): TargetKind | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    return undefined;
  }
  if (parts[2] === 'events') {
    return parts.slice(5).join(':').startsWith('api-destination/') ? API_DESTINATION : undefined;
  }
  return KINDS[parts[2]];
}

/** A reason a target cannot receive events from a rule. */
export interface PlacementProblem {
  readonly code: 'TARGET_REGION_NOT_SUPPORTED' | 'TARGET_ACCOUNT_NOT_SUPPORTED' | 'TARGET_ROLE_MISSING';
  readonly message: string;
  readonly documentation: string;
}

/**
 * Why a target of a given kind, in the given account and Region (undefined: unknown), cannot receive the events of
 * a rule in `ruleAccount` / `ruleRegion`; undefined when it can.
 */
export function placementProblem(kind: TargetKind, targetAccount: string | undefined, targetRegion: string | undefined,
  hasRole: boolean, ruleAccount: string, ruleRegion: string): PlacementProblem | undefined {
  if (targetRegion !== undefined && targetRegion !== ruleRegion) {
    return {
      code: 'TARGET_REGION_NOT_SUPPORTED',
      message: `a ${kind.label} in ${targetRegion} cannot receive events of a rule in ${ruleRegion}: EventBridge sends events to another Region only through an event bus there`,
      documentation: CROSS_REGION_DOCS,
    };
  }
  const crossAccount = targetAccount !== undefined && targetAccount !== ruleAccount;
  if (crossAccount && !kind.crossAccount) {
    return {
      code: 'TARGET_ACCOUNT_NOT_SUPPORTED',
      message: `a ${kind.label} in account ${targetAccount} cannot receive events of a rule in account ${ruleAccount}: EventBridge sends to other accounts only API Gateway APIs, Kinesis streams, Lambda functions, SNS topics, SQS queues and event buses`,
      documentation: CROSS_ACCOUNT_DOCS,
    };
  }
  if (crossAccount && !hasRole) {
    return {
      code: 'TARGET_ROLE_MISSING',
      message: `a ${kind.label} in account ${targetAccount} needs an execution role (RoleArn) of the rule's account ${ruleAccount}: EventBridge delivers to another account's targets only with one`,
      documentation: CROSS_ACCOUNT_DOCS,
    };
  }
  if (kind.needsRole && !hasRole) {
    return {
      code: 'TARGET_ROLE_MISSING',
      message: `a ${kind.label} needs an execution role (RoleArn): EventBridge calls it only with the IAM role given in the target`,
      documentation: ROLE_DOCS,
    };
  }
  return undefined;
}
