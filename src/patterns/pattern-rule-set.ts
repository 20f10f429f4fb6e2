import { PatternValidationOptions } from './pattern-problem';
import { compileOrThrow } from './private/prepare';
import { RuleIndex } from './private/rule-index';

/**
 * A set of named event patterns that answers "which rules match this event",
 * like the rules on one EventBridge event bus.
 *
 * Patterns are compiled once and indexed: exact-value fields (such as `source`
 * and `detail-type`) are arranged in a trie of hash tables, so an event only
 * visits the rules whose exact values it carries. The cost of matching an event
 * barely grows with the number of rules.
 *
 * @example
 * const rules = new PatternRuleSet();
 * rules.add('orders', { source: ['com.shop'], 'detail-type': ['OrderPlaced'] });
 * rules.matchingRules({ source: 'com.shop', 'detail-type': 'OrderPlaced', detail: {} }); // ['orders']
 */
export class PatternRuleSet {
  private readonly index: RuleIndex;
  private readonly options: PatternValidationOptions;

  /**
   * @param options limits applied when validating each added pattern
   * (the EventBridge defaults if omitted)
   */
  constructor(options?: PatternValidationOptions) {
    this.options = options ?? {};
    this.index = new RuleIndex();
  }

  /**
   * Adds a rule. Adding a name that is already present replaces its pattern
   * (the rule then counts as the most recently added).
   *
   * @param name the rule name
   * @param pattern the event pattern, as an object or as JSON text
   * @throws Error listing every problem if the pattern is invalid (the set is then unchanged)
   */
  public add(name: string, pattern: any): void {
    const compiled = compileOrThrow(pattern, this.options, `event pattern for rule "${name}"`);
    this.index.add(name, compiled);
  }

  /**
   * Removes a rule.
   *
   * @returns true if the rule was present
   */
  public remove(name: string): boolean {
    return this.index.remove(name);
  }

  /**
   * Whether a rule with this name is present.
   */
  public has(name: string): boolean {
    return this.index.has(name);
  }

  /**
   * The number of rules.
   */
  public get size(): number {
    return this.index.size;
  }

  /**
   * The rule names, in the order they were added.
   */
  public get ruleNames(): string[] {
    return this.index.names();
  }

  /**
   * The names of the rules whose pattern matches the event, in the order the
   * rules were added.
   *
   * @param event the event, as an object or as JSON text
   * @throws Error if the event is not valid JSON text or not a JSON object
   */
  public matchingRules(event: any): string[] {
    return this.index.match(event);
  }
}
