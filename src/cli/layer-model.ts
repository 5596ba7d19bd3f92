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
import { dense } from '../layers.ts';
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

/** The model for a plan: hidden layers with `activation`, the output with softmax. */
export function buildModel(a: Architecture, activation: ActivationName, seed: number): Sequential {
  const last = a.plan.length - 1;
  const layers = a.plan.map((l, i) => {
    const act = i === last ? 'softmax' : activation;
    if (l.kind === 'dense') return dense(l.inShape[0], l.units, { activation: act });
    throw new RangeError(`--layers: '${l.item}' needs the ${l.kind} layer, which this build does not have yet`);
  });
  return sequential(layers, { seed });
}
