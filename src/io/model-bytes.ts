/**
 * A model as bytes: the weights as a safetensors file (readable by PyTorch, JAX, Rust… without us), with
 * the architecture and training configuration as JSON strings in its metadata. Pure (no file system), so
 * a browser can save and load models too; src/io/model-file.ts adds the disk.
 *
 * Tensor names follow PyTorch's nn.Linear: `layers.L.weight` is units × inputs, exactly our W layout, and
 * `layers.L.bias` has `units` values, so `torch.nn.Linear.load_state_dict` takes them as they are.
 */
import { dense } from '../layers.ts';
import { checkActivation } from '../activations.ts';
import { sequential } from '../model.ts';
import type { Sequential } from '../model.ts';
import type { LayerParams } from '../backend.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';
import type { Tensors } from './safetensors.ts';
import type { BackendChoice } from '../backends/select.ts';

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
  const params = await model.getWeights();
  // a file with NaN weights would be refused by decodeModel (setWeights) later: refuse it now, by name
  params.forEach((p, l) => {
    for (const [name, a] of [['W', p.W], ['b', p.b]] as const) {
      const k = a.findIndex((v) => !Number.isFinite(v));
      if (k >= 0) throw new RangeError(`cannot save: layer ${l} ${name}[${k}] is ${a[k]} (training diverged; the weights are not finite)`);
    }
  });
  const tensors: Tensors = {};
  model.layers.forEach((l, i) => {
    tensors[`layers.${i}.weight`] = { dtype: 'F32', shape: [l.units, l.inputs], data: params[i].W };
    if (l.bias) tensors[`layers.${i}.bias`] = { dtype: 'F32', shape: [l.units], data: params[i].b };
  });
  const architecture: SavedLayer[] = model.layers.map((l) => ({ inputs: l.inputs, units: l.units, activation: l.activation, bias: l.bias, alpha: l.alpha }));
  const metadata: Record<string, string> = {
    format: FORMAT,
    architecture: JSON.stringify(architecture),
    seed: String(model.seed),
  };
  if (model.training) metadata.training = JSON.stringify(model.training);
  for (const [k, v] of Object.entries(extra)) metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return encodeSafetensors(tensors, metadata);
}

/** A model from bytes (`name` is for error messages); compiled with its saved loss and optimizer if it has them. */
export async function decodeModel(bytes: Uint8Array, name: string, options: { backend?: BackendChoice } = {}): Promise<LoadedModel> {
  const { tensors, metadata } = decodeSafetensors(bytes, name);
  if (metadata.format !== FORMAT) {
    throw new Error(`${name}: not a deltagpu model (metadata format is '${metadata.format ?? 'missing'}', expected '${FORMAT}')`);
  }
  let architecture: SavedLayer[];
  try {
    architecture = JSON.parse(metadata.architecture);
    if (!Array.isArray(architecture) || architecture.length === 0) throw new Error('no layers');
  } catch (e) {
    throw new Error(`${name}: the architecture in its metadata is unreadable (${(e as Error).message})`);
  }
  const layers = architecture.map((l) => dense(l.inputs, l.units, { activation: checkActivation(l.activation), bias: l.bias, alpha: l.alpha }));
  const model = sequential(layers, { seed: Number(metadata.seed ?? 1) });
  const params: LayerParams[] = layers.map((l, i) => {
    const W = tensors[`layers.${i}.weight`];
    const b = tensors[`layers.${i}.bias`];
    if (!W) throw new Error(`${name}: tensor layers.${i}.weight is missing`);
    if (W.shape[0] !== l.units || W.shape[1] !== l.inputs) {
      throw new Error(`${name}: layers.${i}.weight has shape [${W.shape}] but the architecture says [${l.units}, ${l.inputs}]`);
    }
    if (l.bias && !b) throw new Error(`${name}: tensor layers.${i}.bias is missing`);
    return { W: W.data, b: l.bias ? b.data : new Float32Array(0) };
  });
  await model.setWeights(params);
  if (metadata.training) {
    const t = JSON.parse(metadata.training);
    model.compile({ loss: t.loss, optimizer: t.optimizer, backend: options.backend ?? 'auto' });
  }
  return { model, metadata };
}
