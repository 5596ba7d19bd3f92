/**
 * Checks on what users hand us, done before anything is uploaded or updated, so a bad call fails with a
 * message that names the problem and leaves the model exactly as it was.
 */
import type { Matrix } from './tensor.ts';

export function checkFinite(m: Matrix, what: string): void {
  for (let k = 0; k < m.data.length; k++) {
    if (!Number.isFinite(m.data[k])) {
      const r = Math.floor(k / m.cols);
      throw new RangeError(`${what} has ${m.data[k]} at row ${r}, column ${k - r * m.cols}: inputs and targets must be finite numbers`);
    }
  }
}

export function checkShapes(x: Matrix, y: Matrix | null, inputs: number, outputs: number, what = 'x'): void {
  if (x.rows === 0) throw new RangeError(`${what} is empty: the data set needs at least one pattern`);
  if (x.cols !== inputs) {
    throw new RangeError(`${what} has ${x.cols} columns but the first layer expects ${inputs} inputs`);
  }
  checkFinite(x, what);
  if (y) {
    const yWhat = what === 'x' ? 'y' : `${what} targets`;
    if (y.cols !== outputs) throw new RangeError(`${yWhat} has ${y.cols} columns but the last layer has ${outputs} outputs`);
    if (y.rows !== x.rows) throw new RangeError(`${what} has ${x.rows} rows but ${yWhat} has ${y.rows}: each pattern needs one target row`);
    checkFinite(y, yWhat);
  }
}

export function checkPositiveInteger(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) throw new RangeError(`${what} must be a positive integer, got ${String(n)}`);
  return n;
}

/**
 * The most parameters (weights + biases) one model may declare: 2^28 float32 values, 1 GiB on the host before
 * optimizer state (Adam keeps two more copies). Far above anything this engine trains well, and well below
 * what makes V8 fail with "Invalid typed array length" or the machine swap: a typo such as 1e9 units is
 * refused here, by name, before a single weight is drawn.
 */
export const MAX_PARAMETERS = 2 ** 28;

/** Throws unless `v` is a finite number in [min, max]; `what` names the argument. */
export function checkNumber(v: unknown, what: string, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    const range = min === -Infinity && max === Infinity ? 'a finite number' : max === Infinity ? `a finite number ≥ ${min}` : min === -Infinity ? `a finite number ≤ ${max}` : `a finite number in [${min}, ${max}]`;
    throw new RangeError(`${what} must be ${range}, got ${describeValue(v)}`);
  }
  return v;
}

/** A value as a person would want to see it in an error: strings quoted, objects by kind. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return `an object (${Object.keys(v as object).slice(0, 4).join(', ') || 'no keys'})`;
  if (typeof v === 'function') return 'a function';
  return String(v);
}

/**
 * Cross-entropy is a loss between probabilities: a target outside [0, 1] makes −d·ln y unbounded below, and
 * training "improves" towards a negative loss instead of failing. Checked for both cross-entropies.
 */
export function checkProbabilityTargets(y: Matrix, loss: string, what = 'y'): void {
  if (loss !== 'binaryCrossentropy' && loss !== 'categoricalCrossentropy') return;
  for (let k = 0; k < y.data.length; k++) {
    const v = y.data[k];
    if (v < 0 || v > 1) {
      const r = Math.floor(k / y.cols);
      throw new RangeError(`${what} has ${v} at row ${r}, column ${k - r * y.cols}: ${loss} needs targets in [0, 1] (probabilities)`);
    }
  }
}

/**
 * The types of fit's options, checked before anything else: a string where a number belongs ('0.2' for
 * validationSplit) would otherwise be coerced silently, and a callback that is not a function would throw a
 * TypeError from inside the loop, after weights had changed. Values are checked where they are used.
 */
export function checkFitOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`fit: options must be an object such as {epochs: 10, batchSize: 32}, got ${describeValue(options)}`);
  }
  const o = options as Record<string, unknown>;
  for (const k of ['validationSplit', 'stopAtLoss'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'number') throw new TypeError(`fit: ${k} must be a number, got ${describeValue(o[k])}`);
  }
  if (o.shuffle !== undefined && typeof o.shuffle !== 'boolean') throw new TypeError(`fit: shuffle must be true or false, got ${describeValue(o.shuffle)}`);
  if (o.trace !== undefined && typeof o.trace !== 'function') throw new TypeError(`fit: trace must be a function, got ${describeValue(o.trace)}`);
  if (o.validationData !== undefined && (!Array.isArray(o.validationData) || o.validationData.length !== 2)) {
    throw new TypeError(`fit: validationData must be [x, y], got ${describeValue(o.validationData)}`);
  }
  if (o.callbacks !== undefined) {
    if (typeof o.callbacks !== 'object' || o.callbacks === null) throw new TypeError(`fit: callbacks must be an object of functions, got ${describeValue(o.callbacks)}`);
    for (const [k, v] of Object.entries(o.callbacks)) {
      if (v !== undefined && typeof v !== 'function') throw new TypeError(`fit: callbacks.${k} must be a function, got ${describeValue(v)}`);
    }
  }
}

/** setWeights' argument: one {W, b} object per layer (values are checked by setWeights itself). */
export function checkParamList(params: unknown, layers: number): void {
  if (!Array.isArray(params)) throw new TypeError(`setWeights: expected an array of ${layers} {W, b} objects, got ${describeValue(params)}`);
  params.forEach((p, l) => {
    if (typeof p !== 'object' || p === null || typeof (p as { W?: unknown }).W !== 'object' || (p as { W?: unknown }).W === null) {
      throw new TypeError(`setWeights: layer ${l} must be {W, b} with W an array or Float32Array, got ${describeValue(p)}`);
    }
  });
}
