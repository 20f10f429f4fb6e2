/** Reading handler configuration from environment variables, with clear errors. */

export type Env = Record<string, string | undefined>;

export function requireEnv(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`Missing required environment variable ${name}`);
  }
  return value.trim();
}

export function optionalEnv(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** A number from the environment, `fallback` when unset; throws when set but not a number in [min, max]. */
export function numberEnv(env: Env, name: string, fallback: number, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
  const raw = optionalEnv(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  const min = opts.min ?? 0;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isFinite(value) || value < min || value > max || (opts.integer && !Number.isInteger(value))) {
    throw new Error(`Environment variable ${name} must be ${opts.integer ? 'an integer' : 'a number'} between ${min} and ${max}, got '${raw}'`);
  }
  return value;
}

/** A whole number from the environment within `range`, `range.default` when unset. */
export function integerEnv(env: Env, name: string, range: { readonly min: number; readonly max: number; readonly default: number }): number {
  return numberEnv(env, name, range.default, { min: range.min, max: range.max, integer: true });
}
