/**
 * Shape inference, as in Keras: the input shape is given once (on the first layer or to sequential) and each
 * layer's output shape follows from its input's. The result is the list of LayerSpecs the backends take
 * (src/backend.ts), every size known, plus what the model keeps beside them (names, initializers, shapes).
 * Every refusal names the layer (kind and position) and the shapes involved, and comes before any allocation.
 *
 *   conv2d 'valid'  out = ⌊(in − k)/s⌋ + 1           (needs in ≥ k)
 *   conv2d 'same'   out = ⌈in / s⌉, padding total = max((out − 1)·s + k − in, 0), the odd pixel bottom/right
 *   pooling         out = ⌊(in − size)/s⌋ + 1        (no padding; needs in ≥ size)
 *   flatten         [C, H, W] → C·H·W;  dense → units;  dropout keeps its input's shape
 */
import type { Initializer } from '../initializers.ts';
import type { ImageShape, LayerSpec } from '../backend.ts';
import type { Shape } from './common.ts';
import type { DenseLayer } from './dense.ts';
import type { Conv2dLayer, Padding } from './conv2d.ts';
import type { Pool2dLayer } from './pool2d.ts';
import type { FlattenLayer } from './flatten.ts';
import type { DropoutLayer } from './dropout.ts';

/** Any layer a model is declared with (what dense, conv2d, maxPool2d, avgPool2d, flatten and dropout return). */
export type Layer = DenseLayer | Conv2dLayer | Pool2dLayer | FlattenLayer | DropoutLayer;

/**
 * A layer of a built model: its LayerSpec (every shape inferred) with its name ('conv2d_0': kind and position,
 * the same i as the saved tensors' layers.<i>), its initializer (null without parameters) and its output shape.
 */
export type ModelLayer = LayerSpec & {
  readonly name: string;
  readonly initializer: Initializer | null;
  readonly outputShape: Shape;
  /** conv2d only: 'valid' or 'same' as declared (the spec holds the resulting padTop/padLeft) */
  readonly padding?: Padding;
};

export interface InferredModel {
  layers: ModelLayer[];
  /** the bare specs handed to a backend (dense specs exactly as before kinds existed: no `kind` field) */
  specs: LayerSpec[];
  /** [C, H, W] of a pattern for a model whose input is an image, null for a flat one */
  inputShape: ImageShape | null;
  /** the width of an input row (C·H·W for images) */
  inputs: number;
}

/** "28×28×1" in Keras's order (h × w × c), or "784" for a vector: how shapes are written to people. */
export function describeShape(s: Shape): string {
  return 'flat' in s ? String(s.flat) : `${s.image[1]}×${s.image[2]}×${s.image[0]}`;
}

const sizeOf = (s: Shape) => ('flat' in s ? s.flat : s.image[0] * s.image[1] * s.image[2]);
const sameShape = (a: Shape, b: Shape) => describeShape(a) === describeShape(b) && 'flat' in a === 'flat' in b;

/** 'same' padding as Keras and PyTorch compute it: [out, padBefore] along one axis. */
function samePadding(size: number, k: number, s: number): [number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return [out, Math.floor(total / 2)];
}

/**
 * The specs of `declared` from the input shape (the model's option, else the first layer's own). `seed` keys
 * dropout masks. Throws a RangeError naming the layer for any shape that does not work.
 */
export function inferShapes(declared: readonly Layer[], modelInput: Shape | null, seed: number): InferredModel {
  const first = declared[0];
  const own = 'inputShape' in first ? first.inputShape : null;
  if (own && modelInput && !sameShape(own, modelInput)) {
    throw new RangeError(`sequential: inputShape ${describeShape(modelInput)} differs from layer 0's own inputShape ${describeShape(own)}`);
  }
  declared.forEach((l, i) => {
    if (i > 0 && 'inputShape' in l && l.inputShape) throw new RangeError(`sequential: ${l.kind} (layer ${i}) has an inputShape, but only the first layer may have one`);
  });
  const firstDense = first.kind === 'dense' && first.inputs !== null ? ({ flat: first.inputs } as Shape) : null;
  const start = modelInput ?? own ?? firstDense;
  let cur: Shape | null = start;
  const layers: ModelLayer[] = [];
  const specs: LayerSpec[] = [];
  const last = declared.length - 1;

  declared.forEach((l, i) => {
    const where = `${l.kind} (layer ${i})`;
    const from = i === 0 ? 'the input' : `layer ${i - 1} (${declared[i - 1].kind})`;
    if (cur === null) {
      const how = l.kind === 'dense' ? 'write dense(inputs, units), or give inputShape: n' : 'give inputShape: [height, width, channels] (Keras\'s order)';
      throw new RangeError(`sequential: ${where} is first and needs the shape of its input: ${how} to the layer or to sequential(layers, {inputShape})`);
    }
    const input: Shape = cur;
    const inputs = sizeOf(input);
    const image = (): ImageShape => {
      if ('image' in input) return input.image;
      const hint = i === 0 ? "give inputShape as [height, width, channels] (Keras's order), e.g. [28, 28, 1]" : 'it needs an image: put it before flatten() and dense layers';
      throw new RangeError(`sequential: ${where} gets a vector of ${input.flat} values from ${from}, not an image; ${hint}`);
    };
    const shrinks = (what: string, k: readonly [number, number], [c, h, w]: ImageShape): never => {
      throw new RangeError(
        `sequential: ${where}'s ${what} ${k[0]}×${k[1]} is larger than its ${h}×${w}×${c} input from ${from}: the shape shrinks to nothing ` +
          `(use a smaller ${what}${what === 'kernel' ? ", padding: 'same'" : ''} or fewer layers that shrink the image before it)`,
      );
    };
    let spec: LayerSpec;
    let out: Shape;
    let initializer: Initializer | null = null;
    switch (l.kind) {
      case 'dense': {
        if ('image' in input) {
          throw new RangeError(`sequential: ${where} gets a ${describeShape(input)} image from ${from}; add flatten() before it (as Keras requires Flatten)`);
        }
        if (l.inputs !== null && l.inputs !== inputs) {
          const prev = i === 0 ? `the inputShape is ${inputs}` : declared[i - 1].kind === 'dense' ? `layer ${i - 1} has ${inputs} units` : `layer ${i - 1} (${declared[i - 1].kind}) outputs ${inputs} values`;
          throw new RangeError(`sequential: layer ${i} expects ${l.inputs} inputs but ${prev}`);
        }
        spec = { inputs, units: l.units, activation: l.activation, bias: l.bias, alpha: l.alpha };
        out = { flat: l.units };
        initializer = l.initializer;
        break;
      }
      case 'conv2d': {
        const inShape = image();
        const [, h, w] = inShape;
        const [kh, kw] = l.kernel;
        const [sy, sx] = l.stride;
        let oh: number, ow: number, padTop: number, padLeft: number;
        if (l.padding === 'same') {
          [oh, padTop] = samePadding(h, kh, sy);
          [ow, padLeft] = samePadding(w, kw, sx);
        } else {
          if (kh > h || kw > w) shrinks('kernel', l.kernel, inShape);
          [oh, ow, padTop, padLeft] = [Math.floor((h - kh) / sy) + 1, Math.floor((w - kw) / sx) + 1, 0, 0];
        }
        const outShape: ImageShape = [l.filters, oh, ow];
        spec = { kind: 'conv2d', inShape, outShape, filters: l.filters, kernel: l.kernel, stride: l.stride, padTop, padLeft, inputs, units: l.filters * oh * ow, activation: l.activation, bias: l.bias, alpha: l.alpha };
        out = { image: outShape };
        initializer = l.initializer;
        break;
      }
      case 'maxPool2d':
      case 'avgPool2d': {
        const inShape = image();
        const [c, h, w] = inShape;
        if (l.size[0] > h || l.size[1] > w) shrinks('pool size', l.size, inShape);
        const outShape: ImageShape = [c, Math.floor((h - l.size[0]) / l.stride[0]) + 1, Math.floor((w - l.size[1]) / l.stride[1]) + 1];
        spec = { kind: l.kind, inShape, outShape, size: l.size, stride: l.stride, inputs, units: outShape[0] * outShape[1] * outShape[2], activation: 'linear', bias: false, alpha: 0 };
        out = { image: outShape };
        break;
      }
      case 'flatten': {
        // a flat input flattens to itself; its "image" is then n×1×1
        const inShape: ImageShape = 'image' in input ? input.image : [input.flat, 1, 1];
        spec = { kind: 'flatten', inShape, inputs, units: inputs, activation: 'linear', bias: false, alpha: 0 };
        out = { flat: inputs };
        break;
      }
      case 'dropout': {
        spec = { kind: 'dropout', rate: l.rate, seed, inputs, units: inputs, activation: 'linear', bias: false, alpha: 0 };
        out = input;
        break;
      }
      default:
        throw new TypeError(`sequential: layer ${i} has an unknown kind ${String((l as { kind?: unknown }).kind)}`);
    }
    if (spec.activation === 'softmax' && i !== last) throw new RangeError(`sequential: softmax is for the output layer only (layer ${i})`);
    specs.push(spec);
    layers.push({ ...spec, kind: l.kind, name: `${l.kind}_${i}`, initializer, outputShape: out, ...(l.kind === 'conv2d' ? { padding: l.padding } : {}) } as ModelLayer);
    cur = out;
  });
  const s0 = start as Shape;
  return { layers, specs, inputShape: 'image' in s0 ? s0.image : null, inputs: sizeOf(s0) };
}
