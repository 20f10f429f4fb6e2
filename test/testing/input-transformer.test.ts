import { InputTransformation, TargetInputKind } from '../../src/testing';

// The EC2 example event of the user guide, "Input transform examples".
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
const EC2_EVENT = {
  'version': '0',
  'id': '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  'source': 'aws.ec2',
  'account': '123456789012',
  'time': '2015-11-11T21:29:54Z',
  'region': 'us-east-1',
  'resources': ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  'detail': { 'instance-id': 'i-0123456789', 'state': 'RUNNING', 'count': 3, 'tags': ['a', 'b'], 'meta': { ok: true } },
};
const PATHS = { timestamp: '$.time', instance: '$.detail.instance-id', state: '$.detail.state' };
const CONTEXT = { ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example', ruleName: 'example', ingestionTime: '2015-11-11T21:29:55Z' };

describe('input transformer: templates (table from the user guide and recorded AWS output)', () => {
  const cases: Array<{ name: string; source: string; paths?: Record<string, string>; template: string; text: string; value?: any }> = [
    // user guide, "Input transform examples"
    { name: 'simple string', source: 'user guide: Simple string', template: '"instance <instance> is in <state>"', text: '"instance i-0123456789 is in RUNNING"', value: 'instance i-0123456789 is in RUNNING' },
    { name: 'string with escaped quotes', source: 'user guide: String with escaped quotes', template: '"instance \\"<instance>\\" is in <state>"', text: '"instance \\"i-0123456789\\" is in RUNNING"', value: 'instance "i-0123456789" is in RUNNING' },
    { name: 'simple JSON: bare string variables get quotes', source: 'user guide: Simple JSON', template: '{\n  "instance" : <instance>,\n  "state": <state>\n}', text: '{"instance":"i-0123456789","state":"RUNNING"}' },
    { name: 'JSON with strings and variables: quoted variables are not quoted again', source: 'user guide: JSON with strings and variables', template: '{"instance": <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}', text: '{"instance":"i-0123456789","state":"RUNNING","instanceStatus":"instance \\"i-0123456789\\" is in RUNNING"}' },
    { name: 'JSON with a mix of variables and static information', source: 'user guide: JSON with a mix of variables', template: '{"instance": <instance>, "state": [ 9, <state>, true ], "Transformed": "Yes"}', text: '{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}' },
    { name: 'reserved variables in JSON', source: 'user guide: Including reserved variables in JSON', template: '{"ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>}', text: '{"ruleArn":"arn:aws:events:us-east-2:123456789012:rule/example","ruleName":"example"}' },
    { name: 'reserved variables in a string', source: 'user guide: Including reserved variables in a string', template: '"<aws.events.rule-name> triggered"', text: '"example triggered"', value: 'example triggered' },
    { name: 'ingestion time', source: 'user guide: Predefined variables', template: '"at <aws.events.event.ingestion-time>"', text: '"at 2015-11-11T21:29:55Z"' },
    // numbers, objects and arrays: written as JSON (bare) and as their JSON text inside strings
    { name: 'bare number, array and object', source: 'user guide: JSON with a mix of variables (non-string values are JSON)', paths: { n: '$.detail.count', tags: '$.detail.tags', meta: '$.detail.meta' }, template: '{"n": <n>, "tags": <tags>, "meta": <meta>}', text: '{"n":3,"tags":["a","b"],"meta":{"ok":true}}' },
    { name: 'number inside a JSON string', source: 'values are inserted unescaped inside strings (user guide: Common issues)', paths: { n: '$.detail.count' }, template: '{"text": "count=<n>"}', text: '{"text":"count=3"}' },
    { name: 'whole detail object', source: 'CDK RuleTargetInput.fromObject({d: EventField.fromPath("$.detail")}) renders {"d":<detail>}', paths: { detail: '$.detail' }, template: '{"d":<detail>}', text: `{"d":${JSON.stringify(EC2_EVENT.detail)}}` },
    { name: 'array index', source: 'user guide: "array indices" are supported', paths: { first: '$.resources[0]', second: '$.detail.tags[1]' }, template: '{"r": <first>, "t": <second>}', text: '{"r":"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111","t":"b"}' },
    // missing paths: localstack test_events_inputs.snapshot.json (recorded against AWS)
    { name: 'missing path in a text template is empty', source: 'localstack snapshot custom-variables-not-match-all (string template)', paths: { command: '$.detail.notinmessage' }, template: '"info extracted from detail <command>"', text: '"info extracted from detail "' },
    { name: 'missing path as a bare JSON value is ""', source: 'localstack snapshot custom-variables-not-match-all (JSON template)', paths: { command: '$.detail.notinmessage' }, template: '{"command": <command>}', text: '{"command":""}' },
    { name: 'missing path inside a JSON string is empty', source: 'user guide, Common issues: "that variable isn\'t created and won\'t appear in the output"', paths: { command: '$.detail.notinmessage' }, template: '{"c": "x<command>y"}', text: '{"c":"xy"}' },
    // CDK renderings (node_modules/aws-cdk-lib/aws-events/lib/input.js): fromText JSON-encodes, fromObject unquotes <key>
    { name: 'CDK fromText keeps the quotes in the text', source: 'aws/aws-cdk#18695, #38121: fromText renders "..."', paths: { 'detail-state': '$.detail.state' }, template: '"state is <detail-state>"', text: '"state is RUNNING"', value: 'state is RUNNING' },
    { name: 'template starting with [ is a text template', source: 'API reference: only a JSON object is a JSON template', paths: { s: '$.detail.state' }, template: '"{[/special <s>"', text: '"{[/special RUNNING"' },
  ];

  test.each(cases)('$name ($source)', ({ paths, template, text, value }) => {
    const result = InputTransformation.transform(EC2_EVENT, { inputPathsMap: paths ?? PATHS, inputTemplate: template }, CONTEXT);
    expect(result.kind).toBe(TargetInputKind.INPUT_TRANSFORMER);
    expect(result.text).toBe(text);
    if (value !== undefined) {
      expect(result.value).toEqual(value);
    }
  });
});

describe('input transformer: predefined event variables', () => {
  test('<aws.events.event> is the event without detail, detail-type spelled detailType (localstack snapshot, recorded against AWS)', () => {
    const result = InputTransformation.transform(EC2_EVENT, { inputTemplate: '{"e": <aws.events.event>}' });
    expect(result.value.e.detailType).toBe('EC2 Instance State-change Notification');
    expect(result.value.e.detail).toBeUndefined();
    expect(result.value.e['detail-type']).toBeUndefined();
  });
  test('<aws.events.event.json> is the whole event', () => {
    expect(InputTransformation.transform(EC2_EVENT, { inputTemplate: '{"e": <aws.events.event.json>}' }).value).toEqual({ e: EC2_EVENT });
  });
});

describe('input transformer: quirks that give invalid JSON are reported, not hidden', () => {
  test('a string value with quotes inside a JSON string breaks the JSON ("EventBridge doesn\'t escape values")', () => {
    const event = { ...EC2_EVENT, detail: { msg: 'say "hi"' } };
    const result = InputTransformation.transform(event, { inputPathsMap: { m: '$.detail.msg' }, inputTemplate: '{"m": "<m>"}' });
    expect(result.isJson).toBe(false);
    expect(result.text).toBe('{"m": "say "hi""}');
    expect(result.warnings[0]).toMatch(/not valid JSON after transformation/);
  });
  test('missing variables are listed', () => {
    const result = InputTransformation.transform(EC2_EVENT, { inputPathsMap: { x: '$.nope' }, inputTemplate: '{"x": <x>}' });
    expect(result.missingVariables).toEqual(['x']);
  });
});

describe('input options', () => {
  test('no option: the matched event', () => {
    const result = InputTransformation.transform(EC2_EVENT, {});
    expect(result.kind).toBe(TargetInputKind.MATCHED_EVENT);
    expect(result.value).toEqual(EC2_EVENT);
  });
  test('Input: the constant text, as is', () => {
    const result = InputTransformation.transform(EC2_EVENT, { input: '{"a":1}' });
    expect(result).toMatchObject({ kind: TargetInputKind.CONSTANT, text: '{"a":1}', value: { a: 1 } });
  });
  test('InputPath to a string is the JSON string (localstack snapshot input_path_max_level_depth: "\\"baz\\"")', () => {
    expect(InputTransformation.transform(EC2_EVENT, { inputPath: '$.detail.state' }).text).toBe('"RUNNING"');
  });
  test('InputPath that matches nothing gives an empty input and a warning', () => {
    const result = InputTransformation.transform(EC2_EVENT, { inputPath: '$.detail.nope' });
    expect(result.text).toBe('');
    expect(result.warnings[0]).toMatch(/matches nothing/);
  });
  test('throws when two options are given (PutTargets ValidationException)', () => {
    expect(() => InputTransformation.transform(EC2_EVENT, { input: '{}', inputPath: '$' }, { targetId: 'T' }))
      .toThrow('Only one of Input, InputPath, or InputTransformer must be provided for target T.');
  });
  test('throws on a placeholder that is not defined (localstack snapshot missing-key-exception-error)', () => {
    expect(() => InputTransformation.transform(EC2_EVENT, { inputPathsMap: {}, inputTemplate: '"<notdefinedkey>"' }, { targetId: 'T' }))
      .toThrow('InputTemplate for target T contains invalid placeholder notdefinedkey.');
  });
  test('throws on a reserved variable name in InputPathsMap', () => {
    expect(() => InputTransformation.transform(EC2_EVENT, { inputPathsMap: { 'aws.events.event': '$' }, inputTemplate: '"x"' }))
      .toThrow(/reserved variable name aws.events.event/);
  });
});

describe('JSON paths', () => {
  test.each([
    ['$', EC2_EVENT],
    ['$.detail.instance-id', 'i-0123456789'],
    ['$.detail.tags[0]', 'a'],
    ["$.detail['instance-id']", 'i-0123456789'],
    ['$.detail.tags[*]', ['a', 'b']],
    ['$.detail.*', ['i-0123456789', 'RUNNING', 3, ['a', 'b'], { ok: true }]],
    ['$.detail.tags[5]', undefined],
    ['$.nope.deeper', undefined],
  ])('%s', (p, expected) => {
    expect(InputTransformation.evaluatePath(EC2_EVENT, p)).toEqual(expected);
  });
  test.each([
    ['detail.x', 'must start with "$"'],
    ['$..x', 'empty name'],
    ['$.a[?(@.b)]', 'unsupported selector'],
    ['$.a[0', 'is not closed'],
  ])('throws on %s', (p, message) => {
    expect(() => InputTransformation.evaluatePath(EC2_EVENT, p)).toThrow(message);
  });
});
