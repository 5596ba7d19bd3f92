/**
 * dense(units, {activation, bias, initializer}) or dense(inputs, units, {…}): a fully connected layer,
 * v = x·Wᵀ + b. Its inputs are inferred from the layer before it (or the model's inputShape); the older form
 * with the inputs written out keeps working and is checked against that. A layer with `bias: false` has no bias
 * at all (the XOR worked example); otherwise the bias is a weight on a constant +1 input, kept as its own vector
 * b (the same math). The CPU math is in src/backends/cpu/dense.ts.
 */
import type { ActivationName } from '../activations.ts';
import type { Initializer } from '../initializers.ts';
import { optionsObject, ownInputShape, paramOptions, positiveInteger } from './common.ts';
import type { InputShape, Shape } from './common.ts';
import { describeValue } from '../validate.ts';

export interface DenseOptions {
  activation?: ActivationName;
  bias?: boolean;
  /** default: heUniform for ReLU-like activations, glorotUniform otherwise */
  initializer?: Initializer;
  /** leaky ReLU's slope for v < 0 */
  alpha?: number;
  /** the width of a pattern, for a first layer written dense(units): n or [n] */
  inputShape?: InputShape;
}

export interface DenseLayer {
  readonly kind: 'dense';
  /** null: inferred from the previous layer (or the model's inputShape) when the model is built */
  readonly inputs: number | null;
  readonly units: number;
  readonly activation: ActivationName;
  readonly bias: boolean;
  readonly initializer: Initializer;
  readonly alpha: number;
  readonly inputShape: Shape | null;
}

export function dense(inputs: number, units: number, options?: DenseOptions): DenseLayer & { readonly inputs: number };
export function dense(units: number, options?: DenseOptions): DenseLayer;
export function dense(a: number, b?: number | DenseOptions, c?: DenseOptions): DenseLayer {
  // dense(inputs, units, opts) when the second argument is a number, else dense(units, opts)
  const explicit = typeof b === 'number';
  const options: unknown = explicit ? (c === undefined ? {} : c) : b === undefined ? {} : b;
  if (typeof options !== 'object' || options === null) throw new TypeError(`dense: options must be an object such as {activation: 'relu'}, got ${describeValue(options)}`);
  const o = optionsObject<DenseOptions>(options, 'dense', "{activation: 'relu'}");
  const p = paramOptions('dense', o);
  const inputs = explicit ? positiveInteger(a, 'dense: inputs') : null;
  return {
    kind: 'dense',
    inputs,
    units: positiveInteger(explicit ? b : a, 'dense: units'),
    ...p,
    inputShape: ownInputShape(o, 'dense'),
  };
}
