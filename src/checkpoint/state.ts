/**
 * A training checkpoint: everything a run needs to continue as if it had never stopped — parameters,
 * optimizer state and update count, where it was (epochs done, steps into the next one, the shuffle
 * generator's state when that epoch's order was drawn, the unfinished epoch's metric sums) and the
 * history so far. As bytes it is a safetensors file (tensors + JSON metadata), like a saved model, so
 * PyTorch can read its weights too. Pure (no file system): src/checkpoint/file.ts writes it to disk.
 */
import { biasCount, kindOf, paramShapes, weightCount } from '../backend.ts';
import type { ImageShape, LayerSpec, Metrics, NetworkSpec, SessionState } from '../backend.ts';
import { decodeSafetensors, encodeSafetensors } from '../format/safetensors.ts';
import { checkLayerSpecs, describeSpec } from '../layer-spec-check.ts';
import type { Tensors } from '../format/safetensors.ts';

export const CHECKPOINT_FORMAT = 'deltagpu-checkpoint/1';

export interface CheckpointHistory {
  loss: number[];
  accuracy: number[];
  valLoss: number[];
  valAccuracy: number[];
  samplesPerSecond: number[];
}

/** Where a run stands between two ticks. */
export interface TrainPosition {
  /** epochs completed */
  epoch: number;
  /** steps (batches) done in epoch `epoch + 1`; 0 at an epoch boundary */
  step: number;
  /** the shuffle generator's state just before epoch `epoch + 1` drew its order */
  rng: number[];
  /** metric sums of the steps done in epoch `epoch + 1` */
  partial: Pick<Metrics, 'lossSum' | 'correct' | 'count'>;
  history: CheckpointHistory;
}

/** What a checkpoint belongs to; resuming checks it against the model and the fit's options. */
export interface CheckpointRun {
  network: NetworkSpec;
  seed: number;
  batchSize: number;
  shuffle: boolean;
  /** training patterns */
  rows: number;
}

export interface Checkpoint extends TrainPosition {
  state: SessionState;
  run: CheckpointRun;
  /** anything else the caller keeps with it (the CLI: its options), as JSON */
  extra: Record<string, unknown>;
  /** where it was written, if it was */
  path?: string;
}

/** Two layers are the same when every field of their specs is (kind, shapes, kernel, stride, padding, rate …). */
const describe = describeSpec;
const sameLayer = (a: LayerSpec, b: LayerSpec) => describe(a) === describe(b);
const label = (l: LayerSpec) => `${kindOf(l) === 'dense' ? '' : `${kindOf(l)} `}${l.inputs}→${l.units} ${l.activation}`;

/** Refuses a checkpoint that does not belong to this model/fit, naming the first difference. */
export function checkResumable(ck: Checkpoint, run: CheckpointRun, name = 'resumeFrom'): void {
  const a = ck.run.network;
  const b = run.network;
  if (a.layers.length !== b.layers.length || !a.layers.every((l, i) => sameLayer(l, b.layers[i]))) {
    const i = a.layers.findIndex((l, k) => !b.layers[k] || !sameLayer(l, b.layers[k]));
    const first = i >= 0 && i < b.layers.length ? `; layer ${i} is ${describe(a.layers[i])} in the checkpoint, ${describe(b.layers[i])} in the model` : '';
    throw new RangeError(`${name}: the checkpoint's layers (${a.layers.map(label).join(', ')}) differ from the model's (${b.layers.map(label).join(', ')})${first}`);
  }
  if (a.loss !== b.loss) throw new RangeError(`${name}: the checkpoint was trained with loss '${a.loss}', the model is compiled with '${b.loss}'`);
  if (JSON.stringify(a.optimizer) !== JSON.stringify(b.optimizer)) {
    throw new RangeError(`${name}: the checkpoint's optimizer ${JSON.stringify(a.optimizer)} differs from the model's ${JSON.stringify(b.optimizer)}`);
  }
  for (const k of ['batchSize', 'shuffle', 'rows', 'seed'] as const) {
    if (ck.run[k] !== run[k]) throw new RangeError(`${name}: the checkpoint's ${k === 'rows' ? 'training set has' : k + ' is'} ${ck.run[k]}${k === 'rows' ? ' patterns' : ''}, this fit's ${run[k]} (a resumed run must see the same data and settings)`);
  }
}

/** The checkpoint as safetensors bytes. */
export function encodeCheckpoint(ck: Checkpoint): Uint8Array {
  const tensors: Tensors = {};
  const put = (name: string, data: Float32Array, shape: number[]) => {
    if (data.length > 0) tensors[name] = { dtype: 'F32', shape, data };
  };
  ck.run.network.layers.forEach((l, i) => {
    const p = ck.state.params[i];
    const o = ck.state.optimizer[i];
    // PyTorch's layouts (dense [units, inputs], conv2d [F, C, kh, kw]); the optimizer's moments are shaped as their parameters
    const { W, b } = paramShapes(l);
    put(`layers.${i}.weight`, p.W, W);
    put(`layers.${i}.bias`, p.b, b);
    put(`optimizer.${i}.weight.m`, o.mW, W);
    put(`optimizer.${i}.weight.v`, o.vW, W);
    put(`optimizer.${i}.bias.m`, o.mb, b);
    put(`optimizer.${i}.bias.v`, o.vb, b);
  });
  const { state, path: _path, ...rest } = ck;
  return encodeSafetensors(tensors, { format: CHECKPOINT_FORMAT, checkpoint: JSON.stringify({ ...rest, t: state.t }) });
}

/** Every field decodeCheckpoint and a resume use, type-checked, so a damaged file fails here by name. */
function checkMetadata(meta: Omit<Checkpoint, 'state'> & { t: number }, name: string): void {
  const bad = (what: string, v: unknown) => {
    throw new Error(`${name}: checkpoint metadata ${what} is ${JSON.stringify(v)?.slice(0, 80) ?? String(v)}`);
  };
  const int = (v: unknown, what: string, min = 0) => {
    if (!Number.isInteger(v) || (v as number) < min) bad(`${what} (expected an integer ≥ ${min})`, v);
  };
  const nums = (v: unknown, what: string) => {
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) bad(`${what} (expected an array of numbers)`, v);
  };
  if (typeof meta !== 'object' || meta === null) bad('(expected an object)', meta);
  const layers = meta.run?.network?.layers;
  if (!Array.isArray(layers) || layers.length === 0) bad('run.network.layers (expected a non-empty array)', layers);
  layers.forEach((l, i) => {
    int(l?.inputs, `layer ${i} inputs`, 1);
    int(l?.units, `layer ${i} units`, 1);
    if (typeof l.bias !== 'boolean' || typeof l.activation !== 'string' || typeof l.alpha !== 'number') bad(`layer ${i} (activation, bias, alpha)`, l);
  });
  // then every kind's fields and shapes, as a saved model's are (src/layer-spec-check.ts); an image model's input is its first layer's inShape
  const first = layers[0] as { inShape?: unknown } | null;
  const input = first && typeof first === 'object' && first.inShape !== undefined ? (first.inShape as ImageShape) : null;
  meta.run.network.layers = checkLayerSpecs(layers, input, (msg) => {
    throw new Error(`${name}: checkpoint metadata run.network.layers ${msg}`);
  });
  if (typeof meta.run.network.optimizer?.type !== 'string' || typeof meta.run.network.loss !== 'string') bad('run.network optimizer/loss', meta.run.network);
  for (const k of ['epoch', 'step', 't'] as const) int(meta[k], k);
  int(meta.run.batchSize, 'run.batchSize', 1);
  int(meta.run.rows, 'run.rows', 1);
  nums(meta.rng, 'rng');
  for (const k of ['lossSum', 'correct', 'count'] as const) if (typeof meta.partial?.[k] !== 'number') bad(`partial.${k}`, meta.partial?.[k]);
  for (const k of ['loss', 'accuracy', 'valLoss', 'valAccuracy', 'samplesPerSecond'] as const) nums(meta.history?.[k], `history.${k}`);
  if (meta.history.loss.length !== meta.epoch) bad(`history.loss (expected ${meta.epoch} epochs of it)`, meta.history.loss.length);
}

/** A checkpoint from bytes (`name` names it in errors); every tensor is checked against its network. */
export function decodeCheckpoint(bytes: Uint8Array, name: string): Checkpoint {
  const { tensors, metadata } = decodeSafetensors(bytes, name);
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${name}: not a deltagpu checkpoint (metadata format is '${metadata.format ?? 'missing'}', expected '${CHECKPOINT_FORMAT}')`);
  }
  let meta: Omit<Checkpoint, 'state'> & { t: number };
  try {
    meta = JSON.parse(metadata.checkpoint);
  } catch (e) {
    throw new Error(`${name}: the checkpoint metadata is not valid JSON (${(e as Error).message})`);
  }
  checkMetadata(meta, name);
  const layers = meta.run.network.layers;
  // each tensor by name with the shape its layer implies (PyTorch's layouts); absent only where it holds nothing
  const take = (key: string, shape: number[], needed: boolean): Float32Array => {
    const n = needed ? shape.reduce((a, d) => a * d, 1) : 0;
    const t = tensors[key];
    if (!t) {
      if (n === 0) return new Float32Array(0);
      throw new Error(`${name}: tensor ${key} is missing (expected shape [${shape}])`);
    }
    if (n === 0) throw new Error(`${name}: tensor ${key} is in the file but the checkpoint's network and optimizer have no such values`);
    if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) throw new Error(`${name}: tensor ${key} has shape [${t.shape}], expected [${shape}] from its layer`);
    return t.data;
  };
  const type = meta.run.network.optimizer.type;
  const state: SessionState = {
    params: layers.map((l, i) => ({ W: take(`layers.${i}.weight`, paramShapes(l).W, weightCount(l) > 0), b: take(`layers.${i}.bias`, paramShapes(l).b, biasCount(l) > 0) })),
    optimizer: layers.map((l, i) => {
      const { W, b } = paramShapes(l);
      return {
        mW: take(`optimizer.${i}.weight.m`, W, type !== 'sgd' && weightCount(l) > 0),
        vW: take(`optimizer.${i}.weight.v`, W, type === 'adam' && weightCount(l) > 0),
        mb: take(`optimizer.${i}.bias.m`, b, type !== 'sgd' && biasCount(l) > 0),
        vb: take(`optimizer.${i}.bias.v`, b, type === 'adam' && biasCount(l) > 0),
      };
    }),
    t: meta.t,
  };
  const { t: _t, ...rest } = meta;
  return { ...rest, extra: typeof rest.extra === 'object' && rest.extra !== null ? rest.extra : {}, state, path: name };
}
