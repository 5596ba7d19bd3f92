/**
 * maxPool2d(poolSize, {strides}) and avgPool2d(poolSize, {strides}): the maximum or the mean of each window,
 * per channel, with no padding (Keras's 'valid'). strides default to poolSize (windows side by side). The CPU
 * forward pass and deltas: src/backends/cpu/pool2d.ts (max pooling sends a window's error to its first maximum).
 */
import { optionsObject, ownInputShape, pair } from './common.ts';
import type { InputShape, Shape } from './common.ts';

export interface Pool2dOptions {
  /** the step between windows: a number or [sy, sx] (default: the pool size) */
  strides?: number | readonly [number, number];
  /** a first layer's image, Keras's order [height, width, channels] */
  inputShape?: InputShape;
}

export interface Pool2dLayer {
  readonly kind: 'maxPool2d' | 'avgPool2d';
  readonly size: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly inputShape: Shape | null;
}

function pool(kind: Pool2dLayer['kind'], poolSize: unknown, options: unknown): Pool2dLayer {
  const o = optionsObject<Pool2dOptions>(options, kind, '{strides: 2}');
  const size = pair(poolSize, `${kind}: poolSize`);
  return { kind, size, stride: o.strides === undefined ? size : pair(o.strides, `${kind}: strides`), inputShape: ownInputShape(o, kind) };
}

export function maxPool2d(poolSize: number | readonly [number, number] = 2, options: Pool2dOptions = {}): Pool2dLayer {
  return pool('maxPool2d', poolSize, options);
}

export function avgPool2d(poolSize: number | readonly [number, number] = 2, options: Pool2dOptions = {}): Pool2dLayer {
  return pool('avgPool2d', poolSize, options);
}
