import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  App, CfnResource, Stack, aws_events as events, aws_events_targets as targets, aws_iam as iam, aws_iot as iot, aws_lambda as lambda,
  aws_sqs as sqs, aws_stepfunctions as sfn,
} from 'aws-cdk-lib';
import { addExampleStacks } from '../../examples/stacks';
import { CustomBusRouter, EventFlowDiagram, EventRouter } from '../../src/testing';
import { main } from '../../src/testing/cli';

// The example app, synthesized once for the file.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-diagram-'));
const app = new App({ outdir: dir, context: { 'aws:cdk:enable-path-metadata': true } });
addExampleStacks(app);
app.synth();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function diagram(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['diagram', '--app', dir, ...argv], { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

/** The ids of the node declarations (`    id[...]`, `    id(...)`, `    id{{...}}`, `    id[/.../]`). */
function declaredNodes(text: string): string[] {
  return text.split('\n').map((l) => /^ {4}([a-z]+\d+)[[({]/.exec(l)?.[1]).filter((id): id is string => id !== undefined);
}

describe('EventFlowDiagram on the example app', () => {
  test('every node is declared once, and every edge joins declared nodes', async () => {
    const { code, out } = await diagram();
    expect(code).toBe(0);
    const nodes = declaredNodes(out);
    expect(nodes.length).toBeGreaterThan(100);
    expect(new Set(nodes).size).toBe(nodes.length);
    const edges = out.split('\n').filter((l) => /^ {2}[a-z]+\d+ /.test(l));
    for (const edge of edges) {
      const ids = edge.trim().split(/\s+/).filter((t) => /^[a-z]+\d+$/.test(t));
      for (const id of [ids[0], ids[ids.length - 1]]) {
        expect(nodes).toContain(id);
      }
    }
  });

  test('draws producers beyond functions: buckets with EventBridge notifications, pipes, partner event sources', async () => {
    const { out } = await diagram();
    expect(out).toMatch(/ {4}(res\d+)\["bucket PhotoUploadExample\/PhotoUpload\/UploadsBucket"\]\n[\s\S]*\n {2}\1 -- notifications --> bus\d+\n/);
    expect(out).toMatch(/ {4}(res\d+)\["pipe MarketDataExample\/MarketData\/IngestionPipe"\]\n[\s\S]*\n {2}\1 -- pipe target --> bus\d+\n/);
    expect(out).toMatch(/ {4}(res\d+)\["partner source aws\.partner\/salesforce\.com\/00Dxx0000000000EAA\/0YLxx0000000000GAA"\]\n[\s\S]*\n {2}\1 -- events --> bus\d+\n/);
  });

  test('draws Custom Event Buses with their subscribers, targets and dead-letter queues', async () => {
    const { out } = await diagram();
    expect(out).toContain('    cbus1(["Custom Event Bus orders-v2"])\n    sub1[/"CustomBusExample/OrdersBus/Fulfilment<br/>subscriber fulfilment, FIFO"/]\n');
    expect(out).toMatch(/\n {2}cbus1 --> sub1\n {2}sub1 --> res\d+\n {2}sub1 -\. failed \.-> dlq\d+\n/);
  });

  test('--bus shows that bus\'s flows only: a Custom Event Bus alone, or a Classic bus with the rules that forward to it', async () => {
    const custom = await diagram('--bus', 'orders-v2');
    expect(custom.code).toBe(0);
    expect(custom.out).not.toMatch(/\brule\d+/);
    expect(custom.out.match(/sub\d+\[/g)).toHaveLength(5);
    const classic = await diagram('--bus', 'arn:aws:events:eu-west-1:111111111111:event-bus/platform');
    expect(classic.out).not.toContain('cbus');
    expect(classic.out).not.toContain('Prod/');
    expect(classic.out).toContain('Dev/Spoke/ToCentral/Route/Rule');
  });
});

describe('EventFlowDiagram producers', () => {
  test('a state machine whose role may put events, and an IoT rule that invokes a producer function', () => {
    const stack = new Stack(new App(), 'Producers', { env: { account: '111111111111', region: 'eu-west-1' } });
    const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'devices' });
    new events.Rule(stack, 'Rule', { eventBus: bus, eventPattern: { source: ['devices'] }, targets: [new targets.SqsQueue(new sqs.Queue(stack, 'Queue'))] });
    const machine = new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
    bus.grantPutEventsTo(machine);
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
    bus.grantPutEventsTo(fn);
    new iot.CfnTopicRule(stack, 'TopicRule', { topicRulePayload: { sql: 'SELECT * FROM \'t\'', actions: [{ lambda: { functionArn: fn.functionArn } }] } });
    fn.addPermission('Iot', { principal: new iam.ServicePrincipal('iot.amazonaws.com') });
    new CfnResource(stack, 'Schedule', {
      type: 'AWS::Scheduler::Schedule',
      properties: {
        ScheduleExpression: 'rate(1 hour)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: bus.eventBusArn, RoleArn: 'arn:aws:iam::111111111111:role/scheduler', EventBridgeParameters: { Source: 'devices', DetailType: 'Tick' } },
      },
    });
    const out = EventFlowDiagram.mermaid(EventRouter.fromStack(stack));
    expect(out).toMatch(/ {4}(res\d+)\["state machine Producers\/Machine"\][\s\S]*\n {2}\1 -- PutEvents --> bus1\n/);
    expect(out).toMatch(/ {4}(res\d+)\["λ Producers\/Fn"\][\s\S]*\n {2}\1 -- PutEvents --> bus1\n/);
    expect(out).toMatch(/ {4}(res\d+)\["IoT rule Producers\/TopicRule"\][\s\S]*\n {2}\1 -- invokes Producers\/Fn --> bus1\n/);
    expect(out).toMatch(/ {4}(res\d+)\["schedule Producers\/Schedule"\][\s\S]*\n {2}\1 -- schedule target --> bus1\n/);
  });

  test('a Custom Event Bus is drawn only when its router is given', () => {
    const router = EventRouter.fromCloudAssembly(dir);
    expect(EventFlowDiagram.mermaid(router)).not.toContain('Custom Event Bus');
    expect(EventFlowDiagram.mermaid(router, { customBusRouter: CustomBusRouter.fromCloudAssembly(dir) })).toContain('Custom Event Bus orders-v2');
  });
});
