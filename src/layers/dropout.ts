/**
 * dropout(rate): inverted dropout during fit only. Each training step drops a fraction `rate` of the values
 * (a mask drawn by Philox from the model's seed, the layer's position, the step and the element:
 * src/dropout-mask.ts, the same on every backend) and scales the rest by 1/(1 − rate); evaluate and predict
 * pass values through unchanged. CPU: src/backends/cpu/dropout.ts.
 */
import { describeValue } from '../validate.ts';

export interface DropoutLayer {
  readonly kind: 'dropout';
  readonly rate: number;
}

export function dropout(rate: number): DropoutLayer {
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate >= 1) {
    throw new RangeError(`dropout: rate must be a number in [0, 1) (the fraction of values dropped), got ${describeValue(rate)}`);
  }
  return { kind: 'dropout', rate };
}
