/**
 * Conformance suite: every case in test/patterns/data (the shared
 * samples plus our own cases, each citing its source: EventBridge docs or
 * aws/event-ruler). Cases marked `uncertain` follow event-ruler; cases marked
 * `eventbridge_only` follow EventBridge's documented limits.
 */
import { eventOf, expectedMessage, loadCases, patternOf } from './conformance-cases';
import { EventPatternEngine, PatternRuleSet } from '../../src/patterns';

const cases = loadCases();
const matchCases = cases.filter((c) => c.valid !== false);
const invalidCases = cases.filter((c) => c.valid === false);

describe('conformance corpus', () => {
  test('is large and well formed', () => {
    expect(cases.length).toBeGreaterThanOrEqual(600);
    const ids = cases.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of cases) {
      expect(typeof c.source).toBe('string');
      expect(c.source.length).toBeGreaterThan(0);
      expect(c.pattern !== undefined || c.pattern_raw !== undefined).toBe(true);
      if (c.valid === false) {
        expect(typeof expectedMessage(c)).toBe('string');
      } else {
        expect(typeof c.matches).toBe('boolean');
        expect(c.event !== undefined || c.event_raw !== undefined).toBe(true);
      }
      if (c.uncertain) {
        expect(typeof c.uncertain_why).toBe('string');
      }
    }
  });

  test('covers matching and invalid cases for every operator', () => {
    const categories = new Set(cases.map((c) => c.category));
    for (const cat of ['exact', 'null-empty', 'metadata', 'nested', 'arrays', 'prefix', 'suffix', 'equals-ignore-case', 'wildcard',
      'anything-but', 'numeric', 'exists', 'cidr', 'or', 'complex', 'invalid-structure', 'invalid-prefix-suffix', 'invalid-wildcard',
      'invalid-anything-but', 'invalid-numeric', 'invalid-exists', 'invalid-cidr', 'invalid-or', 'invalid-limits']) {
      expect(categories).toContain(cat);
    }
  });
});

describe.each(matchCases.map((c) => [`${c.id} (${c.file})`, c] as const))('%s', (_name, c) => {
  test(`matches() returns ${c.matches}`, () => {
    expect(EventPatternEngine.validate(patternOf(c))).toEqual([]);
    expect(EventPatternEngine.matches(patternOf(c), eventOf(c))).toBe(c.matches);
  });

  test('the same answer with the pattern and event as JSON text', () => {
    const pattern = c.pattern_raw ?? JSON.stringify(c.pattern);
    const event = c.event_raw ?? JSON.stringify(c.event);
    expect(EventPatternEngine.matches(pattern, event)).toBe(c.matches);
  });

  test('the same answer from a PatternRuleSet', () => {
    const rules = new PatternRuleSet();
    rules.add('other', { 'source': ['never.used.source'], 'detail-type': ['x'] });
    rules.add(c.id, patternOf(c));
    expect(rules.matchingRules(eventOf(c))).toEqual(c.matches ? [c.id] : []);
  });
});

describe.each(invalidCases.map((c) => [`${c.id} (${c.file})`, c] as const))('%s', (_name, c) => {
  const message = expectedMessage(c);

  test(`validate() reports "${message}"`, () => {
    const problems = EventPatternEngine.validate(patternOf(c));
    expect(problems.map((p) => p.message)).toContain(message);
    expect(EventPatternEngine.isValid(patternOf(c))).toBe(false);
  });

  test('matches() and PatternRuleSet.add() throw with the message', () => {
    expect(() => EventPatternEngine.matches(patternOf(c), { source: 'x' })).toThrow(message);
    expect(() => new PatternRuleSet().add('r', patternOf(c))).toThrow(message);
  });
});
