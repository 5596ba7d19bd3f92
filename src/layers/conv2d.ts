/**
 * conv2d(filters, kernelSize, {strides, padding, activation, bias, initializer, alpha, inputShape}): a 2-D
 * convolution (cross-correlation, as every framework computes it) of `filters` kernels over all input channels,
 * Keras's argument order. Sizes are a number or [h, w]; `inputShape` is Keras's [h, w, c] and is needed on a
 * first layer. The forward pass, deltas and weight change on the CPU: src/backends/cpu/conv2d.ts; the exact
 * arithmetic (NCHW, padTop/padLeft, PyTorch's W layout [F, C, kh, kw]): Conv2dSpec in src/backend.ts.
 */
import type { ActivationName } from '../activations.ts';
import type { Initializer } from '../initializers.ts';
import { optionsObject, ownInputShape, pair, paramOptions, positiveInteger } from './common.ts';
import type { InputShape, Shape } from './common.ts';
import { describeValue } from '../validate.ts';

export type Padding = 'valid' | 'same';

export interface Conv2dOptions {
  /** the step between windows: a number or [sy, sx] (default 1) */
  strides?: number | readonly [number, number];
  /** 'valid' (default): windows inside the image; 'same': zeros around it so that out = ⌈in / stride⌉ */
  padding?: Padding;
  activation?: ActivationName;
  bias?: boolean;
  /** default: heUniform for ReLU-like activations, glorotUniform otherwise (fan_in = C·kh·kw, fan_out = F·kh·kw) */
  initializer?: Initializer;
  /** leaky ReLU's slope for v < 0 */
  alpha?: number;
  /** a first layer's image, Keras's order [height, width, channels] */
  inputShape?: InputShape;
}

export interface Conv2dLayer {
  readonly kind: 'conv2d';
  readonly filters: number;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: Padding;
  readonly activation: ActivationName;
  readonly bias: boolean;
  readonly initializer: Initializer;
  readonly alpha: number;
  readonly inputShape: Shape | null;
}

export function conv2d(filters: number, kernelSize: number | readonly [number, number], options: Conv2dOptions = {}): Conv2dLayer {
  const o = optionsObject<Conv2dOptions>(options, 'conv2d', "{activation: 'relu'}");
  const padding = o.padding ?? 'valid';
  if (padding !== 'valid' && padding !== 'same') throw new RangeError(`conv2d: padding must be 'valid' or 'same', got ${describeValue(padding)}`);
  return {
    kind: 'conv2d',
    filters: positiveInteger(filters, 'conv2d: filters'),
    kernel: pair(kernelSize, 'conv2d: kernelSize'),
    stride: pair(o.strides ?? 1, 'conv2d: strides'),
    padding,
    ...paramOptions('conv2d', o),
    inputShape: ownInputShape(o, 'conv2d'),
  };
}
