/**
 * What the layer declarations (dense, conv2d, pooling, flatten, dropout) check alike: sizes given as a number
 * or [h, w], an input shape in Keras's order, the activation and its default initializer. Each check runs where
 * the layer is declared, so a bad size fails at the call that wrote it, naming the layer and the argument.
 */
import { DEFAULT_LEAKY_ALPHA, checkActivation } from '../activations.ts';
import type { ActivationName } from '../activations.ts';
import { checkInitializer } from '../initializers.ts';
import type { Initializer } from '../initializers.ts';
import { checkNumber, describeValue } from '../validate.ts';

/**
 * The shape of one pattern as the user writes it, Keras's order: a flat width (n or [n]), or an image
 * [h, w, c] ([h, w] is one channel). Stored as NCHW ([c, h, w], see src/backend.ts) once resolved.
 */
export type InputShape = number | readonly [number] | readonly [number, number] | readonly [number, number, number];

/** A pattern's shape between layers: flat (a vector of n) or an image [C, H, W]. */
export type Shape = { flat: number } | { image: readonly [number, number, number] };

/** A positive integer, or a RangeError naming `what`. */
export function positiveInteger(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) {
    throw new RangeError(`${what} must be a positive integer, got ${typeof n === 'object' ? describeValue(n) : String(n)}`);
  }
  return n;
}

/** A size given as n (square) or [h, w]: kernel, pool size, stride. */
export function pair(v: unknown, what: string): readonly [number, number] {
  if (typeof v === 'number') {
    positiveInteger(v, what);
    return [v, v];
  }
  if (Array.isArray(v) && v.length === 2) return [positiveInteger(v[0], `${what}[0] (height)`), positiveInteger(v[1], `${what}[1] (width)`)];
  throw new RangeError(`${what} must be a positive integer or [height, width], got ${describeValue(v)}`);
}

/** Keras's inputShape ([h, w, c], [h, w], [n] or n) as a resolved Shape (images become NCHW). */
export function parseInputShape(v: unknown, what: string): Shape {
  if (typeof v === 'number') return { flat: positiveInteger(v, what) };
  if (Array.isArray(v)) {
    const dims = v.map((d, i) => positiveInteger(d, `${what}[${i}]`));
    if (dims.length === 1) return { flat: dims[0] };
    if (dims.length === 2) return { image: [1, dims[0], dims[1]] };
    if (dims.length === 3) return { image: [dims[2], dims[0], dims[1]] };
  }
  throw new RangeError(`${what} must be [height, width, channels] (Keras's order), [height, width], [n] or n, got ${describeValue(v)}`);
}

/** The options object itself: undefined is {}, anything but a plain object is refused by name. */
export function optionsObject<T extends object>(options: unknown, layer: string, example: string): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${layer}: options must be an object such as ${example}, got ${describeValue(options)}`);
  }
  return options as Partial<T>;
}

/** activation, bias, initializer and alpha of a layer with parameters (dense, conv2d), with their defaults. */
export function paramOptions(
  layer: string,
  o: { activation?: unknown; bias?: unknown; initializer?: unknown; alpha?: unknown },
): { activation: ActivationName; bias: boolean; initializer: Initializer; alpha: number } {
  if (o.bias !== undefined && typeof o.bias !== 'boolean') throw new TypeError(`${layer}: bias must be true or false, got ${describeValue(o.bias)}`);
  const activation = checkActivation(o.activation ?? 'linear');
  const reluLike = activation === 'relu' || activation === 'leakyRelu';
  return {
    activation,
    bias: (o.bias as boolean | undefined) ?? true,
    // He for ReLU-like units (which zero half their inputs), Glorot otherwise, as Keras's guides advise
    initializer: checkInitializer(o.initializer ?? (reluLike ? 'heUniform' : 'glorotUniform')),
    // a NaN slope would turn every negative net input into NaN without a word
    alpha: o.alpha === undefined ? DEFAULT_LEAKY_ALPHA : checkNumber(o.alpha, `${layer}: alpha (the leaky ReLU slope)`),
  };
}

/** A layer's own inputShape option, if it has one. */
export function ownInputShape(o: { inputShape?: unknown }, layer: string): Shape | null {
  return o.inputShape === undefined ? null : parseInputShape(o.inputShape, `${layer}: inputShape`);
}
