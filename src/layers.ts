/**
 * dense(inputs, units, {activation, bias, initializer}): the one layer type, fully connected.
 * A layer with `bias: false` has no bias at all (the XOR worked example); otherwise the bias is a weight
 * on a constant +1 input, kept as its own vector b (the same math).
 */
import { DEFAULT_LEAKY_ALPHA, checkActivation } from './activations.ts';
import type { ActivationName } from './activations.ts';
import { checkInitializer } from './initializers.ts';
import type { Initializer } from './initializers.ts';
import { checkNumber, describeValue } from './validate.ts';

export interface DenseOptions {
  activation?: ActivationName;
  bias?: boolean;
  /** default: heUniform for ReLU-like activations, glorotUniform otherwise */
  initializer?: Initializer;
  /** leaky ReLU's slope for v < 0 */
  alpha?: number;
}

export interface DenseLayer {
  readonly kind: 'dense';
  readonly inputs: number;
  readonly units: number;
  readonly activation: ActivationName;
  readonly bias: boolean;
  readonly initializer: Initializer;
  readonly alpha: number;
}

function checkSize(n: number, what: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) throw new RangeError(`dense: ${what} must be a positive integer, got ${String(n)}`);
  return n;
}

export function dense(inputs: number, units: number, options: DenseOptions = {}): DenseLayer {
  if (typeof options !== 'object' || options === null) throw new TypeError(`dense: options must be an object such as {activation: 'relu'}, got ${describeValue(options)}`);
  if (options.bias !== undefined && typeof options.bias !== 'boolean') throw new TypeError(`dense: bias must be true or false, got ${describeValue(options.bias)}`);
  const activation = checkActivation(options.activation ?? 'linear');
  const reluLike = activation === 'relu' || activation === 'leakyRelu';
  return {
    kind: 'dense',
    inputs: checkSize(inputs, 'inputs'),
    units: checkSize(units, 'units'),
    activation,
    bias: options.bias ?? true,
    initializer: checkInitializer(options.initializer ?? (reluLike ? 'heUniform' : 'glorotUniform')),
    // a NaN slope would turn every negative net input into NaN without a word
    alpha: options.alpha === undefined ? DEFAULT_LEAKY_ALPHA : checkNumber(options.alpha, 'dense: alpha (the leaky ReLU slope)'),
  };
}
