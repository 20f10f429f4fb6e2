/**
 * Platform layout in moto, as two accounts: the central bus and a team's blueprint in account 111111111111, a spoke
 * in account 333333333333 that forwards order events from its default bus to the central bus. An event put in the
 * spoke account reaches the team's (stand-in) queue in the central account exactly as the whole-app EventRouter
 * predicts, and nothing reaches the spoke's dead-letter queue.
 *
 * moto takes the account from the credentials: each account's stacks are created with credentials from
 * `sts:AssumeRole` on a role of that account. The router reads the same moto-ready templates, written as a cloud
 * assembly with each stack's environment.
 *
 * What moto does differently, and how the comparison handles it:
 * - moto re-puts a forwarded event as a new event in the receiving account (new `id`, `time`, and its own
 *   account); EventBridge keeps them. The forwarded message is compared on `source`, `detail-type`, `detail`,
 *   `region` and `resources`; `id`, `time` and `account` are left out of both sides.
 * - moto does not enforce EventBridge's one-hop limit (the router does; tested offline in platform-layout.test.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, CreateStackCommand, DescribeStackResourcesCommand, waitUntilStackCreateComplete } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { drain } from './aws-fixtures';
import { useMoto } from './moto-server';
import { prepareForMoto } from './sqs-stand-ins';
import { addPlatformExamples } from '../../examples/platform-layout';
import { EventRouter } from '../../src/testing';

const REGION = 'eu-west-1';
const CENTRAL = '111111111111';
const SPOKE = '333333333333';

interface Credentials { accessKeyId: string; secretAccessKey: string; sessionToken: string }

/** Credentials of `account` from moto's STS (AssumeRole; moto does not check signatures). */
async function credentialsOf(endpoint: string, account: string): Promise<Credentials> {
  const body = new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: `arn:aws:iam::${account}:role/deployer`, RoleSessionName: 'smoke' });
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'authorization': 'AWS4-HMAC-SHA256 Credential=testing/20261130/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0',
    },
  });
  const xml = await res.text();
  const get = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
  const creds = { accessKeyId: get('AccessKeyId')!, secretAccessKey: get('SecretAccessKey')!, sessionToken: get('SessionToken')! };
  if (!creds.accessKeyId) throw new Error(`moto AssumeRole failed: ${xml.slice(0, 300)}`);
  return creds;
}

const moto = useMoto({ pythonPath: [path.join(__dirname, 'moto-patches')] });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-platform-moto-'));

afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test('an order event put in the spoke account reaches the central account as the router predicts', async () => {
  const { dev } = addPlatformExamples(new App());
  const stacks: Array<[Stack, string]> = [[dev.platform, CENTRAL], [dev.commerce, CENTRAL], [dev.spoke, SPOKE]];
  const creds: Record<string, Credentials> = {
    [CENTRAL]: await credentialsOf(moto.endpoint, CENTRAL),
    [SPOKE]: await credentialsOf(moto.endpoint, SPOKE),
  };

  // Create the stacks, each in its account; write the same moto-ready templates as a cloud assembly for the router.
  const artifacts: Record<string, any> = {};
  const queues: Array<{ account: string; logicalId: string; url: string }> = [];
  for (const [stack, account] of stacks) {
    const prepared = prepareForMoto(Template.fromStack(stack).toJSON(), stack.stackName);
    fs.writeFileSync(path.join(dir, `${stack.artifactId}.template.json`), JSON.stringify(prepared.template));
    artifacts[stack.artifactId] = {
      type: 'aws:cloudformation:stack',
      environment: `aws://${account}/${REGION}`,
      displayName: stack.node.path,
      properties: { templateFile: `${stack.artifactId}.template.json`, stackName: stack.stackName },
    };
    const cfn = new CloudFormationClient({ region: REGION, credentials: creds[account] });
    await cfn.send(new CreateStackCommand({ StackName: stack.stackName, TemplateBody: JSON.stringify(prepared.template), Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] }));
    await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { StackName: stack.stackName });
    const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stack.stackName }))).StackResources ?? [];
    for (const r of resources) {
      if (r.ResourceType === 'AWS::SQS::Queue' && r.LogicalResourceId && r.PhysicalResourceId) {
        queues.push({ account, logicalId: `${stack.node.path}/${r.LogicalResourceId}`, url: r.PhysicalResourceId });
      }
    }
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '48.0.0', artifacts }));
  const router = EventRouter.fromCloudAssembly(dir);
  expect(router.warnings).toEqual([]);

  const detail = { orderId: 'o-1', items: [{ sku: 'A', quantity: 2 }] };
  const put = await new EventBridgeClient({ region: REGION, credentials: creds[SPOKE] }).send(new PutEventsCommand({
    Entries: [
      { Source: 'com.example.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify(detail) },
      { Source: 'com.example.other', DetailType: 'OrderPlaced', Detail: JSON.stringify(detail) },
    ],
  }));
  expect(put.FailedEntryCount ?? 0).toBe(0);

  const strip = (m: any) => {
    const { id: _id, time: _time, account: _account, version: _version, ...rest } = m;
    return rest;
  };
  const predicted: Array<[string, any]> = [];
  for (const source of ['com.example.orders', 'com.example.other']) {
    const deliveries = router.route({ source, 'detail-type': 'OrderPlaced', detail, 'account': SPOKE, 'region': REGION });
    for (const d of deliveries.filter((x) => x.target.resourceType === 'AWS::SQS::Queue')) {
      predicted.push([`${d.rule.stackId}/${d.target.logicalId}`, strip(d.input)]);
    }
    if (source === 'com.example.orders') {
      // The spoke's rule, then the blueprint's rule on the central bus, reached over the hop.
      expect(deliveries.map((d) => d.path.length)).toEqual([1, 2]);
    } else {
      expect(deliveries).toEqual([]);
    }
  }
  expect(predicted).toHaveLength(1);

  const received: Array<[string, any]> = [];
  for (const q of queues) {
    const sqs = new SQSClient({ region: REGION, credentials: creds[q.account], useQueueUrlAsEndpoint: false });
    for (const body of await drain(sqs, q.url)) received.push([q.logicalId, strip(JSON.parse(body))]);
  }
  expect(received).toEqual(predicted);
  console.log(`moto platform layout: ${stacks.length} stacks in 2 accounts, ${queues.length} queues; 2 events put in ${SPOKE}; `
    + `${predicted.length} delivery predicted in ${CENTRAL}, ${received.length} message received; agree`);
});
