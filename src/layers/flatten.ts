/**
 * flatten(): an image [C, H, W] becomes a vector of C·H·W. Images are NCHW rows already, so this is the
 * identity on memory (PyTorch's flatten order: channel, row, column); it exists for the shapes, the names
 * (layers.<i>) and so that a dense layer after images is written as in Keras. CPU: src/backends/cpu/flatten.ts.
 */
import { optionsObject, ownInputShape } from './common.ts';
import type { InputShape, Shape } from './common.ts';

export interface FlattenOptions {
  /** a first layer's image, Keras's order [height, width, channels] (a Keras MLP's Flatten(input_shape=(28, 28))) */
  inputShape?: InputShape;
}

export interface FlattenLayer {
  readonly kind: 'flatten';
  readonly inputShape: Shape | null;
}

export function flatten(options: FlattenOptions = {}): FlattenLayer {
  const o = optionsObject<FlattenOptions>(options, 'flatten', '{inputShape: [28, 28, 1]}');
  return { kind: 'flatten', inputShape: ownInputShape(o, 'flatten') };
}
