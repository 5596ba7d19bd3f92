/**
 * An rbf(...) first layer in a saved model. Its fixed part goes where the dense layers' weights go:
 *
 *   rbf.centers   F32 [K, inputs]   the centres c_j, one row each (the layer's own layout)
 *   rbf.sigma     F32 [K]           the widths σ_j (not σ²: the lecture's parameter, and what `sigma` takes)
 *   metadata 'rbf'  {"inputs": D, "units": K, "basis": "gaussian" | "thinPlate"}
 *
 * The layer holds σ at float32 precision (src/rbf/rbf.ts), so σ_j² = σ_j·σ_j read back is the value it
 * had, bit for bit. A file without the 'rbf' entry is a plain dense model, as every file was before; one
 * with rbf.* tensors but no 'rbf' entry fails the dense check for tensors the architecture does not name.
 *
 * Reading checks the entry, then each tensor's shape against it, then the values (finite centres, finite
 * σ > 0): all before any layer is built, and with errors that name the tensor, the position and the value.
 */
import { RBF_BASES, rbf } from '../rbf/rbf.ts';
import type { RbfBasis, RbfLayer } from '../rbf/rbf.ts';
import { MAX_PARAMETERS } from '../validate.ts';
import { ModelFormatError } from './model-check.ts';
import type { Tensors } from '../format/safetensors.ts';

export const RBF_CENTERS = 'rbf.centers';
export const RBF_SIGMA = 'rbf.sigma';

export interface SavedRbf {
  inputs: number;
  units: number;
  basis: RbfBasis;
  centers: Float32Array;
  sigma: Float32Array;
}

/** The layer's tensors and its metadata entry; refused for a layer whose centres are not placed yet. */
export function rbfToTensors(layer: RbfLayer): { tensors: Tensors; metadata: string } {
  if (!layer.centers || !layer.sigma2) {
    throw new Error('saveModel: the rbf layer has no centres yet; fit the model first (k-means places them) or give the layer centers and sigma');
  }
  const K = layer.units;
  return {
    tensors: {
      [RBF_CENTERS]: { dtype: 'F32', shape: [K, layer.inputs], data: layer.centers.slice() },
      // exact: σ² is the square of a float32 σ, and the square root of an exact square is exact
      [RBF_SIGMA]: { dtype: 'F32', shape: [K], data: Float32Array.from(layer.sigma2, Math.sqrt) },
    },
    metadata: JSON.stringify({ inputs: layer.inputs, units: K, basis: layer.basis }),
  };
}

const positiveInt = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

/**
 * The rbf layer described by metadata 'rbf' (already JSON-parsed) and its two tensors, checked against
 * each other and against the first dense layer (which takes one input per centre). Returns the layer's
 * parts and the tensors left for the dense layers.
 */
export function checkRbf(raw: unknown, tensors: Tensors, denseInputs: number, file: string): { rbf: SavedRbf; rest: Tensors } {
  const fail = (msg: string): never => { throw new ModelFormatError(`${file}: ${msg}`); };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(`metadata 'rbf' must be an object {inputs, units, basis}, got ${JSON.stringify(raw)?.slice(0, 60)}`);
  const { inputs, units, basis } = raw as Record<string, unknown>;
  if (!positiveInt(inputs)) fail(`metadata 'rbf' inputs must be a positive integer, got ${JSON.stringify(inputs)}`);
  if (!positiveInt(units)) fail(`metadata 'rbf' units (the number of centres) must be a positive integer, got ${JSON.stringify(units)}`);
  if (typeof basis !== 'string' || !(RBF_BASES as readonly string[]).includes(basis)) fail(`metadata 'rbf' basis must be one of ${RBF_BASES.join(', ')}, got ${JSON.stringify(basis)}`);
  const D = inputs as number;
  const K = units as number;
  if (K * D > MAX_PARAMETERS) fail(`metadata 'rbf' declares ${K} centres × ${D} inputs = ${K * D} values, above the limit of ${MAX_PARAMETERS}`);
  if (K !== denseInputs) fail(`metadata 'rbf' has ${K} centres but layer 0 of the architecture takes ${denseInputs} inputs (one per centre)`);

  const c = tensors[RBF_CENTERS];
  const s = tensors[RBF_SIGMA];
  if (!c) fail(`tensor ${RBF_CENTERS} is missing (metadata 'rbf' declares ${K} centres)`);
  if (!s) fail(`tensor ${RBF_SIGMA} is missing (metadata 'rbf' declares ${K} centres)`);
  if (c.shape.length !== 2 || c.shape[0] !== K || c.shape[1] !== D) fail(`${RBF_CENTERS} has shape [${c.shape}] but metadata 'rbf' says [${K}, ${D}] (centres × inputs)`);
  if (s.shape.length !== 1 || s.shape[0] !== K) fail(`${RBF_SIGMA} has shape [${s.shape}] but metadata 'rbf' says [${K}] (one σ per centre)`);
  const badCentre = c.data.findIndex((v) => !Number.isFinite(v));
  if (badCentre >= 0) fail(`${RBF_CENTERS} has ${c.data[badCentre]} at centre ${Math.floor(badCentre / D)}, input ${badCentre % D}; centres must be finite`);
  const badSigma = s.data.findIndex((v) => !(Number.isFinite(v) && v > 0));
  if (badSigma >= 0) fail(`${RBF_SIGMA} has ${s.data[badSigma]} for centre ${badSigma}; σ must be finite and > 0`);

  const rest: Tensors = {};
  for (const [name, t] of Object.entries(tensors)) if (name !== RBF_CENTERS && name !== RBF_SIGMA) rest[name] = t;
  return { rbf: { inputs: D, units: K, basis: basis as RbfBasis, centers: c.data, sigma: s.data }, rest };
}

/** The layer, rebuilt from checked parts (its centres and σ given, so no k-means runs at the next fit). */
export function rbfFromSaved(saved: SavedRbf): RbfLayer {
  return rbf(saved.inputs, saved.units, {
    centers: { data: saved.centers, rows: saved.units, cols: saved.inputs },
    sigma: Array.from(saved.sigma),
    basis: saved.basis,
  });
}
