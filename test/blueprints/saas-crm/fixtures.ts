import { App, Stack, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';

/** What the SaaS CRM and delivery tests share: the environment, a partner event source, a stack, an imported secret. */
export const ENV = { account: '111111111111', region: 'eu-west-1' };
export const SALESFORCE = 'aws.partner/salesforce.com/00D5f000005KcCnEAK/0YL5f000000CabWGAS';

export function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: ENV });
}

export function secret(stack: Stack, id: string): secretsmanager.ISecret {
  return secretsmanager.Secret.fromSecretCompleteArn(stack, id, `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${id}-AbCdEf`);
}
