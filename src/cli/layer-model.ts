/**
 * `deltagpu train mnist --model mlp|cnn` and `--layers ITEMS`: the architecture and its training defaults,
 * judged before any data loads (src/models/layer-grammar.ts parses and plans it), then turned into model layers.
 *
 *   --model mlp   784-128-10, ReLU, momentum lr 0.05, batch 32, 10 epochs (the default; what npm start trains)
 *   --model cnn   Keras's "Simple MNIST convnet": conv32k3 → maxpool2 → conv64k3 → maxpool2 → flatten →
 *                 dropout0.5 → dense 10, Adam lr 0.001, batch 128, 15 epochs (Keras's own settings)
 *   --layers L    any list of the grammar instead of the named model's layers (its training defaults stay)
 */
import type { ImageShape } from '../backend.ts';
import type { ActivationName } from '../activations.ts';
import type { OptimizerName } from '../optimizers.ts';
import { avgPool2d, conv2d, dense, dropout, flatten, maxPool2d } from '../layers.ts';
import { sequential } from '../model.ts';
import type { Sequential } from '../model.ts';
import { MAX_PARAMETERS } from '../validate.ts';
import { NAMED_MODELS, describePlan, isPlainMlp, parseLayerItems, planLayers } from '../models/layer-grammar.ts';
import type { LayerItem, PlannedLayer } from '../models/layer-grammar.ts';
import { checkHiddenLayers } from './layer-sizes.ts';

export type NamedModel = keyof typeof NAMED_MODELS;

/** Each named model's training defaults (the options a user leaves out). */
export const MODEL_DEFAULTS: Record<NamedModel, { optimizer: OptimizerName; batchSize: number; epochs: number }> = {
  mlp: { optimizer: 'momentum', batchSize: 32, epochs: 10 },
  cnn: { optimizer: 'adam', batchSize: 128, epochs: 15 },
};

export interface Architecture {
  items: LayerItem[];
  plan: PlannedLayer[];
  /** the layer sizes of a dense-only plan (784-128-10), else null */
  mlpSizes: number[] | null;
  image: ImageShape;
}

/**
 * The planned architecture for `--layers` (or the named model's), on images of [1, height, width], checked
 * against the host limits with errors naming --layers and the item. A dense-only list keeps the historical
 * check and message of checkHiddenLayers.
 */
export function planArchitecture(layers: string | undefined, model: NamedModel, image: readonly [number, number], classes: number, batchSize: number): Architecture {
  const items = parseLayerItems(layers ?? NAMED_MODELS[model]);
  const shape: ImageShape = [1, image[0], image[1]];
  const width = image[0] * image[1];
  if (isPlainMlp(items)) {
    const hidden = items.map((l) => (l as { units: number }).units);
    checkHiddenLayers(hidden, width, classes);
  }
  const plan = planLayers(items, { image: shape, classes, batchSize, maxParameters: MAX_PARAMETERS });
  const mlpSizes = isPlainMlp(items) ? [width, ...plan.map((l) => l.outShape[0])] : null;
  return { items, plan, mlpSizes, image: shape };
}

/** '784-128-10' for an MLP, else the shapes layer by layer. */
export function architectureName(a: Architecture): string {
  return a.mlpSizes ? a.mlpSizes.join('-') : describePlan(a.plan, a.image);
}

/**
 * The model for a plan: hidden layers with `activation`, the output with softmax. An MLP keeps its explicit
 * dense(inputs, units) layers on flat rows (what saved MLPs have always been); a conv net is declared on the
 * image (Keras's [h, w, c]) and sequential() infers the shapes again, which must agree with the plan's.
 */
export function buildModel(a: Architecture, activation: ActivationName, seed: number): Sequential {
  const last = a.plan.length - 1;
  const layers = a.plan.map((l, i) => {
    const act = i === last ? 'softmax' : activation;
    switch (l.kind) {
      case 'dense':
        return a.mlpSizes ? dense(l.inShape[0], l.units, { activation: act }) : dense(l.units, { activation: act });
      case 'conv2d':
        return conv2d(l.filters, l.kernel, { strides: l.stride, padding: l.padding, activation: act });
      case 'maxPool2d':
        return maxPool2d(l.size, { strides: l.stride });
      case 'avgPool2d':
        return avgPool2d(l.size, { strides: l.stride });
      case 'flatten':
        return flatten();
      case 'dropout':
        return dropout(l.rate);
    }
  });
  const [c, h, w] = a.image;
  const spatial = a.plan.some((l) => l.kind === 'conv2d' || l.kind === 'maxPool2d' || l.kind === 'avgPool2d');
  const model = sequential(layers, { seed, ...(a.mlpSizes ? {} : { inputShape: spatial ? ([h, w, c] as const) : c * h * w }) });
  // the plan's shapes are what the errors and the model line said: a disagreement is a bug, not a user error
  const planned = a.plan.map((l) => l.outShape.reduce((x, y) => x * y, 1));
  const inferred = model.layerSpecs.map((s) => s.units);
  if (planned.join() !== inferred.join()) throw new Error(`internal: --layers planned ${planned.join(', ')} values per layer but the model inferred ${inferred.join(', ')}`);
  return model;
}
