import { App, Aspects, Stack, aws_events as events } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { EventPatternValidation } from '../../src/core';

describe('EventPatternValidation aspect', () => {
  test('reports an invalid pattern of a plain aws-cdk-lib Rule as an error with its path', () => {
    const app = new App();
    const stack = new Stack(app, 'Plain');
    new events.Rule(stack, 'Rule', { eventPattern: { source: ['a'], detail: { state: [] } } });
    Aspects.of(stack).add(new EventPatternValidation());
    Annotations.fromStack(stack).hasError('/Plain/Rule/Resource', Match.stringLikeRegexp('^invalid event pattern at detail\\.state: Empty arrays are not allowed'));
  });

  test('checks L1 CfnRule patterns too', () => {
    const app = new App();
    const stack = new Stack(app, 'L1');
    new events.CfnRule(stack, 'Raw', { eventPattern: { detail: { price: 5 } } });
    Aspects.of(stack).add(new EventPatternValidation());
    Annotations.fromStack(stack).hasError('/L1/Raw', Match.stringLikeRegexp('detail\\.price'));
  });

  test('reports operator problems found by the pattern engine', () => {
    const app = new App();
    const stack = new Stack(app, 'Ops');
    new events.CfnRule(stack, 'Raw', { eventPattern: { 'source': ['a'], 'detail-type': [{ 'anything-but': null }] } });
    Aspects.of(stack).add(new EventPatternValidation());
    Annotations.fromStack(stack).hasError('/Ops/Raw', Match.stringLikeRegexp('detail-type\\[0\\]: Value of anything-but must be an array or single string/number value'));
  });

  test('a valid pattern gets no annotation', () => {
    const app = new App();
    const stack = new Stack(app, 'Valid');
    new events.Rule(stack, 'Rule', { eventPattern: { source: ['a'], detail: { price: [{ numeric: ['>', 0] }] } as any } });
    Aspects.of(stack).add(new EventPatternValidation());
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });

  test('warnOnly reports warnings instead of errors', () => {
    const app = new App();
    const stack = new Stack(app, 'Warn');
    new events.CfnRule(stack, 'Raw', { eventPattern: { detail: { price: 5 } } });
    Aspects.of(stack).add(new EventPatternValidation({ warnOnly: true }));
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Warn/Raw', Match.stringLikeRegexp('detail\\.price'));
  });

  test('a rule with a schedule only is not checked', () => {
    const app = new App();
    const stack = new Stack(app, 'Sched');
    new events.CfnRule(stack, 'Raw', { scheduleExpression: 'rate(1 hour)' });
    Aspects.of(stack).add(new EventPatternValidation());
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });
});
