/**
 * A model as bytes: the weights as a safetensors file (readable by PyTorch, JAX, Rust… without us), with
 * the architecture and training configuration as JSON strings in its metadata. Pure (no file system), so
 * a browser can save and load models too; src/io/model-file.ts adds the disk.
 *
 * Tensor names follow PyTorch's nn.Linear: `layers.L.weight` is units × inputs, exactly our W layout, and
 * `layers.L.bias` has `units` values, so `torch.nn.Linear.load_state_dict` takes them as they are.
 * A model whose first layer is rbf(...) adds `rbf.centers`, `rbf.sigma` and metadata 'rbf' (model-rbf.ts).
 * A model with conv2d, pooling, flatten or dropout layers (or an image input) is format 2: model-layers.ts.
 */
import { dense } from '../layers.ts';
import { sequential } from '../model.ts';
import type { Sequential } from '../model.ts';
import { checkLayered, checkRebuilt, isLayered, layeredParts, LAYERED_FORMAT } from './model-layers.ts';
import type { LayerParams } from '../backend.ts';
import { decodeSafetensors, encodeSafetensors } from '../format/safetensors.ts';
import type { Tensors } from '../format/safetensors.ts';
import type { BackendChoice } from '../backends/select.ts';
import { checkBackendOption } from '../backends/select.ts';
import type { LossName } from '../losses.ts';
import type { OptimizerConfig } from '../optimizers.ts';
import { checkRbf, rbfFromSaved, rbfToTensors } from './model-rbf.ts';
import { ModelFormatError, checkArchitecture, checkSeed, checkTraining, matchTensors, parseMetadataJson } from './model-check.ts';

export { ModelFormatError } from './model-check.ts';

export const FORMAT = 'deltagpu-model/1';

interface SavedLayer {
  inputs: number;
  units: number;
  activation: string;
  bias: boolean;
  alpha: number;
}

export interface LoadedModel {
  model: Sequential;
  metadata: Record<string, string>;
}

/** The model's current weights and configuration; `extra` lands in the metadata as JSON strings. */
export async function encodeModel(model: Sequential, extra: Record<string, unknown> = {}): Promise<Uint8Array> {
  const front = model.front ? rbfToTensors(model.front) : null; // refuses a layer with no centres yet
  const params = await model.getWeights();
  // a file with NaN weights would be refused by decodeModel (setWeights) later: refuse it now, by name
  params.forEach((p, l) => {
    for (const [name, a] of [['W', p.W], ['b', p.b]] as const) {
      const k = a.findIndex((v) => !Number.isFinite(v));
      if (k >= 0) throw new RangeError(`cannot save: layer ${l} ${name}[${k}] is ${a[k]} (training diverged; the weights are not finite)`);
    }
  });
  // layer kinds besides dense, or an image input: format 2 (model-layers.ts); dense-only models as they always were
  const layered = isLayered(model) ? layeredParts(model, params) : null;
  if (layered && front) throw new RangeError('cannot save: an rbf layer before conv, pooling, flatten or dropout layers has no saved form');
  const tensors: Tensors = layered ? layered.tensors : { ...front?.tensors };
  if (!layered) {
    model.layers.forEach((l, i) => {
      tensors[`layers.${i}.weight`] = { dtype: 'F32', shape: [l.units, l.inputs], data: params[i].W };
      if (l.bias) tensors[`layers.${i}.bias`] = { dtype: 'F32', shape: [l.units], data: params[i].b };
    });
  }
  const architecture: SavedLayer[] = model.layers.map((l) => ({ inputs: l.inputs, units: l.units, activation: l.activation, bias: l.bias, alpha: l.alpha }));
  const metadata: Record<string, string> = layered
    ? { ...layered.metadata, seed: String(model.seed) }
    : { format: FORMAT, architecture: JSON.stringify(architecture), seed: String(model.seed) };
  if (front) metadata.rbf = front.metadata;
  if (model.training) metadata.training = JSON.stringify(model.training);
  for (const [k, v] of Object.entries(extra)) metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return encodeSafetensors(tensors, metadata);
}

/** A model from bytes (`name` is for error messages); compiled with its saved loss and optimizer if it has them. */
export async function decodeModel(bytes: Uint8Array, name: string, options: { backend?: BackendChoice } = {}): Promise<LoadedModel> {
  checkBackendOption(options.backend); // the caller's mistake, not the file's: checked first, reported as such
  const { tensors, metadata } = decodeSafetensors(bytes, name);
  if (metadata.format === LAYERED_FORMAT) return decodeLayered(tensors, metadata, name, options);
  if (metadata.format !== FORMAT) {
    throw new ModelFormatError(`${name}: not a deltagpu model (metadata format is '${metadata.format ?? 'missing'}', expected '${FORMAT}' or '${LAYERED_FORMAT}')`);
  }
  // everything is checked against everything else before the model is built
  const architecture = checkArchitecture(parseMetadataJson(metadata, 'architecture', name), name);
  const seed = checkSeed(metadata.seed, name);
  // an rbf first layer (metadata 'rbf'): its centres and σ, checked and set apart from the dense tensors
  const front = metadata.rbf === undefined ? null : checkRbf(parseMetadataJson(metadata, 'rbf', name), tensors, architecture[0].inputs, name);
  const params = matchTensors(architecture, front ? front.rest : tensors, name);
  const training = metadata.training === undefined ? null : checkTraining(parseMetadataJson(metadata, 'training', name), name);
  let model: Sequential;
  try {
    const layers = architecture.map((l) => dense(l.inputs, l.units, { activation: l.activation, bias: l.bias, alpha: l.alpha }));
    model = sequential(front ? [rbfFromSaved(front.rbf), ...layers] : layers, { seed });
    await model.setWeights(params);
    if (training) model.compile({ loss: training.loss as LossName, optimizer: training.optimizer as OptimizerConfig, backend: options.backend ?? 'auto' });
  } catch (e) {
    throw new ModelFormatError(`${name}: ${(e as Error).message}`);
  }
  return { model, metadata };
}

/** A format-2 model: layers and tensors checked against each other (model-layers.ts), then rebuilt and compared. */
async function decodeLayered(tensors: Tensors, metadata: Record<string, string>, name: string, options: { backend?: BackendChoice }): Promise<LoadedModel> {
  const saved = checkLayered(metadata, tensors, name);
  const seed = checkSeed(metadata.seed, name);
  const training = metadata.training === undefined ? null : checkTraining(parseMetadataJson(metadata, 'training', name), name);
  let model: Sequential;
  try {
    model = sequential(saved.declarations, { seed, inputShape: saved.inputShape });
  } catch (e) {
    throw new ModelFormatError(`${name}: metadata 'architecture' does not build: ${(e as Error).message}`);
  }
  checkRebuilt(saved.specs, model.layerSpecs, name);
  try {
    await model.setWeights(saved.params);
    if (training) model.compile({ loss: training.loss as LossName, optimizer: training.optimizer as OptimizerConfig, backend: options.backend ?? 'auto' });
  } catch (e) {
    throw new ModelFormatError(`${name}: ${(e as Error).message}`);
  }
  return { model, metadata };
}
