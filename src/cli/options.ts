/**
 * Parsing of the numeric and list options the CLI commands share, each with an error that names the
 * option and what it got.
 */
/**
 * The most epochs any command runs: '--epochs 1e300' is an integer to Number(), and a run of it would never
 * end (each epoch also keeps a history entry). A million epochs of the largest seed model (XOR with bias,
 * 10,000 by default) take minutes; of MNIST, far longer than anyone waits.
 */
export const MAX_EPOCHS = 1_000_000;

/** Per-option upper bounds, for every command that parses the option with intOption. */
const INT_MAX: Record<string, number> = { epochs: MAX_EPOCHS };

export function intOption(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  const max = INT_MAX[name] ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(n) || n < min) throw new RangeError(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  if (n > max) throw new RangeError(`--${name} must be at most ${max}, got '${value}'`);
  return n;
}

export function numberOption(value: string | undefined, name: string, fallback: number, check: (n: number) => boolean = () => true, expect = 'a number'): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new RangeError(`--${name} must be ${expect}, got '${value}'`);
  return n;
}

/** "256,128" → [256, 128] */
export function listOption(value: string | undefined, name: string, fallback: number[]): number[] {
  if (value === undefined) return fallback;
  const parts = value.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.length === 0 || nums.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new RangeError(`--${name} must be a comma-separated list of positive integers such as 256,128, got '${value}'`);
  }
  return nums;
}

export function choiceOption<T extends string>(value: string | undefined, name: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) throw new RangeError(`--${name} must be one of ${choices.join(', ')}, got '${value}'`);
  return value as T;
}
