/**
 * The contract of the market-data blueprint, written once: detail-types, JSON Schemas (draft 4), environment
 * variable names and limits. Pure data, imported by the construct (market-data.ts) and by the handler
 * (runtime/update-parameters.lambda.ts).
 */
import type { ContractData } from '../contract-data';

/** The `source` of the `MarketTick` events the ingestion pipe puts on the bus. */
export const DEFAULT_TICK_SOURCE = 'com.example.market-data';
/** The `source` of the `AlgorithmParametersUpdated` events the consumer emits. */
export const DEFAULT_EVENT_SOURCE = 'com.example.trading-parameters';

/** Limits shared by the construct's validation, the schemas and the handler. */
export const LIMITS = {
  /** The indicator window, in ticks: VWAP over the last N ticks, EMA with period N (alpha = 2 / (N + 1)). */
  window: { min: 2, max: 1000, default: 50 },
  maxSymbolLength: 64,
  /** Prices and sizes: positive, finite, at most this (far above any real quote, so sums never lose range). */
  maxValue: 1e12,
  /**
   * How far ahead of the consumer's clock a tick may be dated, in seconds. A tick dated later is skipped (logged,
   * never retried): applied, it would make every later tick of its symbol look old, and the symbol would freeze.
   */
  maxClockSkewSeconds: { min: 1, max: 86_400, default: 300 },
  /** A provider's per-symbol sequence number, the tie-breaker of ticks with the same timestamp. */
  maxSequence: Number.MAX_SAFE_INTEGER,
} as const;

/** Environment variables of the default function. */
export const ENV = {
  parametersTableName: 'PARAMETERS_TABLE_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  eventSource: 'EVENT_SOURCE',
  maxEntryBytes: 'EVENT_MAX_ENTRY_BYTES',
  window: 'INDICATOR_WINDOW',
  maxClockSkewSeconds: 'MAX_TICK_CLOCK_SKEW_SECONDS',
} as const;

/** Ticker symbols: letters, digits and `.`, `-`, `_`, `/`, `:`, starting with a letter or digit (`AAPL`, `EUR/USD`, `ES:Z6`). */
const SYMBOL_PATTERN = '^[A-Za-z0-9][A-Za-z0-9./:_-]*$';
/** Instrument classes: lower-case words (`equity`, `fx`, `futures`, `crypto`). */
export const INSTRUMENT_CLASS_PATTERN = '^[a-z][a-z0-9-]{0,31}$';

export const MARKET_TICK: ContractData = {
  detailType: 'MarketTick',
  description: 'One trade reported by the market-data provider (put on the bus by the ingestion pipe).',
  detailSchema: {
    type: 'object',
    required: ['symbol', 'instrumentClass', 'price', 'size', 'timestamp'],
    properties: {
      symbol: {
        type: 'string',
        minLength: 1,
        maxLength: LIMITS.maxSymbolLength,
        pattern: SYMBOL_PATTERN,
        description: 'a ticker symbol (letters, digits, ".", "/", ":", "_", "-")',
      },
      instrumentClass: { type: 'string', maxLength: 32, pattern: INSTRUMENT_CLASS_PATTERN, description: 'a lower-case instrument class like "equity"' },
      price: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: LIMITS.maxValue },
      size: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: LIMITS.maxValue },
      timestamp: { type: 'string', format: 'date-time', description: 'When the trade happened (RFC 3339).' },
      sequence: {
        type: 'integer',
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'The provider\'s sequence number for the symbol, ordering ticks with the same timestamp (0 when absent).',
      },
    },
  },
};

export const ALGORITHM_PARAMETERS_UPDATED: ContractData = {
  detailType: 'AlgorithmParametersUpdated',
  description: 'The trading algorithm parameters of a symbol were recomputed from its latest ticks.',
  detailSchema: {
    type: 'object',
    required: ['symbol', 'instrumentClass', 'vwap', 'ema', 'lastPrice', 'window', 'ticksInWindow', 'asOf', 'sequence'],
    properties: {
      symbol: { type: 'string' },
      instrumentClass: { type: 'string' },
      vwap: { type: 'number', description: 'Volume-weighted average price of the last `ticksInWindow` ticks.' },
      ema: { type: 'number', description: 'Exponential moving average of the price, period `window` ticks.' },
      lastPrice: { type: 'number' },
      window: { type: 'integer', minimum: LIMITS.window.min, maximum: LIMITS.window.max },
      ticksInWindow: { type: 'integer', minimum: 1 },
      asOf: { type: 'string', format: 'date-time', description: 'The timestamp of the newest tick included.' },
      sequence: { type: 'integer', minimum: 0, description: 'The sequence number of the newest tick included.' },
    },
  },
};
