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
