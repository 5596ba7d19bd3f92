/**
 * Checks on a saved model's contents, done before the model is built: the metadata must be the JSON we
 * wrote (each field typed), and the tensors must be exactly the ones that architecture has — right shapes,
 * no missing ones, and no extra ones (a bias the metadata says does not exist, a layer it does not list),
 * which would otherwise be dropped without a word. A 300-byte file declaring 784 → 2,000,000 units fails
 * here because its tensors do not match, before anything is allocated for that architecture.
 */
import { ACTIVATIONS } from '../activations.ts';
import type { ActivationName } from '../activations.ts';
import type { LayerParams } from '../backend.ts';
import type { Tensors } from '../format/safetensors.ts';

/** What every saved model whose contents do not add up throws (the bytes themselves passed decodeSafetensors). */
export class ModelFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFormatError';
  }
}

export interface SavedLayer {
  inputs: number;
  units: number;
  activation: ActivationName;
  bias: boolean;
  alpha: number;
}

/** JSON.parse of a metadata field, with an error naming the field and the file. */
export function parseMetadataJson(metadata: Record<string, string>, key: string, file: string): unknown {
  const text = metadata[key];
  if (text === undefined) throw new ModelFormatError(`${file}: metadata has no '${key}' entry`);
  try {
    return JSON.parse(text);
  } catch (e) {
    const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
    throw new ModelFormatError(`${file}: metadata '${key}' is not valid JSON (${(e as Error).message}); it starts ${JSON.stringify(shown)}`);
  }
}

const positiveInt = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

/** The layer list from metadata 'architecture', every field checked. */
export function checkArchitecture(raw: unknown, file: string): SavedLayer[] {
  const fail = (msg: string): never => { throw new ModelFormatError(`${file}: metadata 'architecture' ${msg}`); };
  if (!Array.isArray(raw) || raw.length === 0) return fail(`must be a non-empty array of layers, got ${JSON.stringify(raw)?.slice(0, 60)}`);
  return raw.map((l: unknown, i) => {
    if (typeof l !== 'object' || l === null) return fail(`layer ${i} is ${JSON.stringify(l)}, expected {inputs, units, activation, bias, alpha}`);
    const { inputs, units, activation, bias, alpha } = l as Record<string, unknown>;
    if (!positiveInt(inputs)) fail(`layer ${i} inputs must be a positive integer, got ${JSON.stringify(inputs)}`);
    if (!positiveInt(units)) fail(`layer ${i} units must be a positive integer, got ${JSON.stringify(units)}`);
    if (typeof activation !== 'string' || !(ACTIVATIONS as readonly string[]).includes(activation)) {
      fail(`layer ${i} activation must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(activation)}`);
    }
    if (typeof bias !== 'boolean') fail(`layer ${i} bias must be true or false, got ${JSON.stringify(bias)}`);
    if (typeof alpha !== 'number' || !Number.isFinite(alpha)) fail(`layer ${i} alpha must be a finite number, got ${JSON.stringify(alpha)}`);
    if (i > 0 && inputs !== (raw[i - 1] as SavedLayer).units) fail(`layer ${i} has ${String(inputs)} inputs but layer ${i - 1} has ${String((raw[i - 1] as SavedLayer).units)} units`);
    return { inputs, units, activation, bias, alpha } as SavedLayer;
  });
}

/** The seed from metadata (1 when absent). */
export function checkSeed(text: string | undefined, file: string): number {
  if (text === undefined) return 1;
  const n = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new ModelFormatError(`${file}: metadata 'seed' must be a non-negative integer, got ${JSON.stringify(text)}`);
  return n;
}

/**
 * Each layer's W and b from the tensors, requiring exactly the names and shapes the architecture implies.
 * Only shapes are compared (no data is touched), so a mismatch costs nothing.
 */
export function matchTensors(architecture: SavedLayer[], tensors: Tensors, file: string): LayerParams[] {
  const fail = (msg: string): never => { throw new ModelFormatError(`${file}: ${msg}`); };
  const expected = new Set<string>();
  const params = architecture.map((l, i) => {
    const wName = `layers.${i}.weight`;
    const bName = `layers.${i}.bias`;
    expected.add(wName);
    const W = tensors[wName];
    if (!W) return fail(`tensor ${wName} is missing`);
    if (W.shape.length !== 2 || W.shape[0] !== l.units || W.shape[1] !== l.inputs) {
      fail(`${wName} has shape [${W.shape}] but the architecture says [${l.units}, ${l.inputs}]`);
    }
    const b = tensors[bName];
    if (l.bias) {
      expected.add(bName);
      if (!b) fail(`tensor ${bName} is missing`);
      if (b.shape.length !== 1 || b.shape[0] !== l.units) fail(`${bName} has shape [${b.shape}] but the architecture says [${l.units}]`);
    } else if (b) {
      fail(`tensor ${bName} is in the file but the architecture says layer ${i} has no bias`);
    }
    return { W: W.data, b: l.bias ? b.data : new Float32Array(0) };
  });
  const extra = Object.keys(tensors).filter((n) => !expected.has(n));
  if (extra.length > 0) {
    fail(`tensor${extra.length > 1 ? 's' : ''} ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''} ${extra.length > 1 ? 'are' : 'is'} not part of the ${architecture.length}-layer architecture in its metadata`);
  }
  return params;
}

/** The saved {loss, optimizer}, checked for shape (compile checks the values). */
export function checkTraining(raw: unknown, file: string): { loss: unknown; optimizer: unknown } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || typeof (raw as { loss?: unknown }).loss !== 'string') {
    throw new ModelFormatError(`${file}: metadata 'training' must be an object {loss, optimizer}, got ${JSON.stringify(raw)?.slice(0, 60)}`);
  }
  return raw as { loss: unknown; optimizer: unknown };
}
