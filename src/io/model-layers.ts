/**
 * Saved models with layer kinds (conv2d, pooling, flatten, dropout, dense): format 'deltagpu-model/2'. A
 * dense-only model keeps format 1, byte for byte as before, so older readers and files are untouched.
 *
 *   tensors    layers.<i>.weight  conv2d [F, C, kh, kw], dense [units, inputs]   (PyTorch's layouts and names:
 *              layers.<i>.bias    [F] / [units]                                   nn.Sequential loads them as they are)
 *   metadata   format        'deltagpu-model/2'
 *              architecture  JSON list of the layers' specs (src/backend.ts) with `kind` on each, plus a
 *                            conv2d's declared `padding` ('valid' | 'same'): every hyperparameter and shape
 *              input         JSON {"layout": "NCHW", "shape": [C, H, W]} for an image model, absent for flat rows
 *
 * Reading checks the metadata as untrusted input (src/layer-spec-check.ts), then every tensor's name and
 * shape against the layers (an error names the tensor, the shape found and the shape expected), all before
 * the model is built; then it rebuilds the model through the public layer functions and requires that its
 * inferred specs be exactly the saved ones.
 */
import { biasCount, hasParams, isDense, kindOf, paramShapes } from '../backend.ts';
import type { ImageShape, LayerParams, LayerSpec } from '../backend.ts';
import { avgPool2d, conv2d, dense, dropout, flatten, maxPool2d } from '../layers/index.ts';
import type { Layer } from '../layers/index.ts';
import type { Sequential } from '../model.ts';
import { checkImageShape, checkLayerSpecs, describeSpec } from '../layer-spec-check.ts';
import { ModelFormatError } from './model-check.ts';
import type { Tensors } from '../format/safetensors.ts';

export const LAYERED_FORMAT = 'deltagpu-model/2';

/** Whether a model needs format 2: any layer besides dense, or an image input. */
export function isLayered(model: Sequential): boolean {
  return model.inputShape !== null || !model.layerSpecs.every(isDense);
}

/** The tensors and the metadata entries (format, architecture, input) of a format-2 model. */
export function layeredParts(model: Sequential, params: LayerParams[]): { tensors: Tensors; metadata: Record<string, string> } {
  const tensors: Tensors = {};
  const architecture = model.layerSpecs.map((l, i) => {
    if (hasParams(l)) {
      const { W, b } = paramShapes(l);
      tensors[`layers.${i}.weight`] = { dtype: 'F32', shape: W, data: params[i].W };
      if (biasCount(l) > 0) tensors[`layers.${i}.bias`] = { dtype: 'F32', shape: b, data: params[i].b };
    }
    const padding = (model.layers[i] as { padding?: unknown }).padding;
    return l.kind === 'conv2d' ? { ...l, padding } : { ...l, kind: kindOf(l) };
  });
  const metadata: Record<string, string> = { format: LAYERED_FORMAT, architecture: JSON.stringify(architecture) };
  if (model.inputShape) metadata.input = JSON.stringify({ layout: 'NCHW', shape: model.inputShape });
  return { tensors, metadata };
}

export interface LayeredArchitecture {
  specs: LayerSpec[];
  /** the declarations that rebuild it through the public API */
  declarations: Layer[];
  /** Keras's order [h, w, c] for sequential's inputShape; undefined for flat rows */
  inputShape: [number, number, number] | undefined;
  params: LayerParams[];
}

/** Checks a format-2 file's metadata and tensors against each other; nothing is built yet. */
export function checkLayered(metadata: Record<string, string>, tensors: Tensors, file: string): LayeredArchitecture {
  const fail = (msg: string): never => {
    throw new ModelFormatError(`${file}: ${msg}`);
  };
  const json = (key: string): unknown => {
    try {
      return JSON.parse(metadata[key]);
    } catch (e) {
      return fail(`metadata '${key}' is not valid JSON (${(e as Error).message})`);
    }
  };
  if (metadata.architecture === undefined) fail("metadata has no 'architecture' entry");
  let input: ImageShape | null = null;
  if (metadata.input !== undefined) {
    const raw = json('input') as { layout?: unknown; shape?: unknown } | null;
    if (typeof raw !== 'object' || raw === null || raw.layout !== 'NCHW') fail(`metadata 'input' must be {"layout": "NCHW", "shape": [C, H, W]}, got ${metadata.input.slice(0, 60)}`);
    input = checkImageShape(raw!.shape, "metadata 'input' shape", fail);
  }
  const raw = json('architecture');
  const specs = checkLayerSpecs(raw, input, (msg) => fail(`metadata 'architecture' ${msg}`));
  const declarations = specs.map((l, i) => declaration(l, (raw as Record<string, unknown>[])[i].padding, i, fail));
  return { specs, declarations, inputShape: input ? [input[1], input[2], input[0]] : undefined, params: matchLayerTensors(specs, tensors, file) };
}

/** The public layer call that declares `l` (its shapes are inferred again and compared afterwards). */
function declaration(l: LayerSpec, padding: unknown, i: number, fail: (msg: string) => never): Layer {
  const opts = { activation: l.activation, bias: l.bias, alpha: l.alpha };
  if (isDense(l)) return dense(l.inputs, l.units, opts);
  switch (l.kind) {
    case 'conv2d':
      if (padding !== 'valid' && padding !== 'same') return fail(`metadata 'architecture' layer ${i} (conv2d) padding must be 'valid' or 'same', got ${JSON.stringify(padding)}`);
      return conv2d(l.filters, l.kernel, { ...opts, strides: l.stride, padding });
    case 'maxPool2d':
      return maxPool2d(l.size, { strides: l.stride });
    case 'avgPool2d':
      return avgPool2d(l.size, { strides: l.stride });
    case 'flatten':
      return flatten();
    case 'dropout':
      return dropout(l.rate);
  }
}

/**
 * Each layer's W and b from the tensors: exactly the names the layers have parameters for, each with its
 * layer's shape (dense [units, inputs], conv2d [F, C, kh, kw]), and no others. Only shapes are compared.
 */
export function matchLayerTensors(specs: readonly LayerSpec[], tensors: Tensors, file: string): LayerParams[] {
  const fail = (msg: string): never => {
    throw new ModelFormatError(`${file}: ${msg}`);
  };
  const expected = new Set<string>();
  const take = (name: string, shape: number[], what: string): Float32Array => {
    expected.add(name);
    const t = tensors[name];
    if (!t) return fail(`tensor ${name} is missing (the architecture's ${what} needs shape [${shape}])`);
    if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) fail(`${name} has shape [${t.shape}] but the architecture's ${what} needs [${shape}]`);
    return t.data;
  };
  const params = specs.map((l, i) => {
    if (!hasParams(l)) return { W: new Float32Array(0), b: new Float32Array(0) };
    const { W, b } = paramShapes(l);
    const what = `layer ${i} (${kindOf(l)}${l.kind === 'conv2d' ? ': filters, channels, kh, kw' : ': units, inputs'})`;
    return { W: take(`layers.${i}.weight`, W, what), b: biasCount(l) > 0 ? take(`layers.${i}.bias`, b, `layer ${i} (${kindOf(l)}) bias`) : new Float32Array(0) };
  });
  const extra = Object.keys(tensors).filter((n) => !expected.has(n));
  if (extra.length > 0) {
    fail(`tensor${extra.length > 1 ? 's' : ''} ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''} ${extra.length > 1 ? 'are' : 'is'} not part of the ${specs.length}-layer architecture in its metadata (a layer without parameters, or without bias, has no tensor)`);
  }
  return params;
}

/** After the rebuild: the model's inferred specs must be the saved ones, layer by layer. */
export function checkRebuilt(saved: readonly LayerSpec[], built: readonly LayerSpec[], file: string): void {
  const i = saved.findIndex((l, k) => !built[k] || describeSpec(l) !== describeSpec(built[k]));
  if (i >= 0 || built.length !== saved.length) {
    const k = i >= 0 ? i : saved.length;
    throw new ModelFormatError(`${file}: metadata 'architecture' layer ${k} is ${describeSpec(saved[k])?.slice(0, 200)} but its hyperparameters give ${built[k] ? describeSpec(built[k]).slice(0, 200) : 'no layer'}`);
  }
}
