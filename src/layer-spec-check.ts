/**
 * A layer list read from a file (a saved model's or a checkpoint's metadata) checked as untrusted input,
 * before anything is allocated for it: every field typed and in range, every size a positive integer below
 * the limits, and every shape recomputed from the layer's own hyperparameters with the formulas of
 * src/backend.ts, so a file cannot declare shapes its layers do not produce:
 *
 *   conv2d   'valid': padTop = 0, oh = ⌊(h − kh)/sy⌋ + 1 with h ≥ kh (a larger kernel shrinks the map to nothing);
 *            'same': oh = ⌈h/sy⌉, padTop = ⌊max((oh − 1)·sy + kh − h, 0)/2⌋; likewise for the width
 *   pooling  oh = ⌊(h − ph)/sy⌋ + 1, h ≥ ph
 *   flatten  units = C·H·W;  dropout, rate in [0, 1): units = inputs;  dense: W [units, inputs]
 *
 * and each layer's input is the previous layer's output (the image shape itself where both are images).
 * Errors name the file, the layer and the field.
 */
import { ACTIVATIONS } from './activations.ts';
import type { ImageShape, LayerSpec } from './backend.ts';
import { MAX_PARAMETERS } from './validate.ts';

/** The most layers a file may declare: far beyond any real model, small enough that checking costs nothing. */
export const MAX_SAVED_LAYERS = 10_000;

type Fail = (msg: string) => never;

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

/** [C, H, W] from JSON, each a positive integer, C·H·W within MAX_PARAMETERS. */
export function checkImageShape(v: unknown, what: string, fail: Fail): ImageShape {
  if (!Array.isArray(v) || v.length !== 3 || !v.every(isPositiveInt)) return fail(`${what} must be [channels, height, width] of positive integers, got ${JSON.stringify(v)?.slice(0, 60)}`);
  const [c, h, w] = v as number[];
  if (c * h * w > MAX_PARAMETERS) fail(`${what} [${v}] holds ${c * h * w} values per pattern, above the limit of ${MAX_PARAMETERS}`);
  return [c, h, w];
}

function checkPair(v: unknown, what: string, fail: Fail): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every(isPositiveInt)) return fail(`${what} must be [height, width] of positive integers, got ${JSON.stringify(v)?.slice(0, 60)}`);
  return [v[0], v[1]];
}

function checkSize(v: unknown, what: string, fail: Fail): number {
  if (!isPositiveInt(v) || v > MAX_PARAMETERS) fail(`${what} must be a positive integer ≤ ${MAX_PARAMETERS}, got ${JSON.stringify(v)}`);
  return v as number;
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** One layer from JSON; `input` is the shape it receives ([n] or [C, H, W]). */
function checkOne(raw: unknown, i: number, input: readonly number[], fail: Fail): LayerSpec {
  const at = `layer ${i}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(`${at} is ${JSON.stringify(raw)?.slice(0, 60)}, expected an object`);
  const l = raw as Record<string, unknown>;
  const kind = String(l.kind ?? 'dense');
  const inputs = checkSize(l.inputs, `${at} inputs`, fail);
  const units = checkSize(l.units, `${at} units`, fail);
  const size = input.reduce((a, d) => a * d, 1);
  if (inputs !== size) fail(`${at} (${String(kind)}) has ${inputs} inputs but receives ${size} values per pattern from the layer before`);
  if (typeof l.activation !== 'string' || !(ACTIVATIONS as readonly string[]).includes(l.activation)) fail(`${at} activation must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(l.activation)}`);
  if (typeof l.bias !== 'boolean') fail(`${at} bias must be true or false, got ${JSON.stringify(l.bias)}`);
  if (typeof l.alpha !== 'number' || !Number.isFinite(l.alpha)) fail(`${at} alpha must be a finite number, got ${JSON.stringify(l.alpha)}`);
  const common = { inputs, units, activation: l.activation as LayerSpec['activation'], bias: l.bias as boolean, alpha: l.alpha as number };
  const noParams = () => {
    if (common.activation !== 'linear' || common.bias) fail(`${at} (${String(kind)}) must have activation 'linear' and no bias, got ${common.activation} and bias ${common.bias}`);
    return { ...common, activation: 'linear' as const, bias: false as const };
  };
  const images = (what: string): [ImageShape, ImageShape] => {
    const inShape = checkImageShape(l.inShape, `${at} inShape`, fail);
    if (!same(inShape, input)) fail(`${at} (${what}) inShape [${inShape}] is not the [${input}] the layer before gives`);
    const outShape = what === 'flatten' ? inShape : checkImageShape(l.outShape, `${at} outShape`, fail);
    if (what !== 'flatten' && units !== outShape[0] * outShape[1] * outShape[2]) fail(`${at} (${what}) has ${units} units but outShape [${outShape}] holds ${outShape[0] * outShape[1] * outShape[2]}`);
    return [inShape, outShape];
  };
  switch (kind) {
    case 'dense':
      if (input.length !== 1) fail(`${at} (dense) receives an image [${input}]; a flatten layer must come first`);
      return l.kind === undefined ? common : { kind: 'dense', ...common };
    case 'conv2d': {
      const [inShape, outShape] = images('conv2d');
      const filters = checkSize(l.filters, `${at} filters`, fail);
      const kernel = checkPair(l.kernel, `${at} kernel`, fail);
      const stride = checkPair(l.stride, `${at} stride`, fail);
      if (outShape[0] !== filters) fail(`${at} (conv2d) outShape [${outShape}] does not have its ${filters} filters as channels`);
      const pads = [l.padTop, l.padLeft];
      if (!pads.every((p) => typeof p === 'number' && Number.isSafeInteger(p) && p >= 0)) fail(`${at} padTop and padLeft must be integers ≥ 0, got ${JSON.stringify(pads)}`);
      const [padTop, padLeft] = pads as number[];
      for (const d of [0, 1] as const) {
        const [n, k, s, p, out] = [inShape[d + 1], kernel[d], stride[d], d === 0 ? padTop : padLeft, outShape[d + 1]];
        const axis = d === 0 ? 'height' : 'width';
        // the two paddings the engine makes: 'valid' (none; needs n ≥ k) and 'same' (out = ⌈n/s⌉, the total
        // max((out − 1)·s + k − n, 0) split with the odd pixel at the bottom/right), as Keras and PyTorch do
        const valid = p === 0 && n >= k && out === Math.floor((n - k) / s) + 1;
        const same = out === Math.ceil(n / s) && p === Math.floor(Math.max((out - 1) * s + k - n, 0) / 2);
        if (!valid && !same) {
          const hint = p === 0 && n < k ? `: the ${k}-wide kernel is larger than the ${n}-wide input, the map shrinks to nothing` : " (neither 'valid' nor 'same' padding gives that)";
          fail(`${at} (conv2d) cannot map ${axis} ${n} to ${out} with kernel ${k}, stride ${s} and padding ${p}${hint}`);
        }
      }
      if (weightsOf(filters, inShape[0], kernel) > MAX_PARAMETERS) fail(`${at} (conv2d) declares ${weightsOf(filters, inShape[0], kernel)} weights, above the limit of ${MAX_PARAMETERS}`);
      return { kind: 'conv2d', inShape, outShape, filters, kernel, stride, padTop, padLeft, ...common };
    }
    case 'maxPool2d':
    case 'avgPool2d': {
      const [inShape, outShape] = images(kind);
      const poolKind: 'maxPool2d' | 'avgPool2d' = kind;
      const size = checkPair(l.size, `${at} size`, fail);
      const stride = checkPair(l.stride, `${at} stride`, fail);
      for (const d of [1, 2] as const) {
        const want = Math.floor((inShape[d] - size[d - 1]) / stride[d - 1]) + 1;
        if (inShape[d] < size[d - 1] || outShape[d] !== want || outShape[0] !== inShape[0]) {
          fail(`${at} (${kind}) cannot map [${inShape}] to [${outShape}] with size [${size}] and stride [${stride}]${inShape[d] < size[d - 1] ? ': the window is larger than the input' : ''}`);
        }
      }
      return { kind: poolKind, inShape, outShape, size, stride, ...noParams() };
    }
    case 'flatten': {
      const [inShape] = images('flatten');
      if (units !== inputs) fail(`${at} (flatten) has ${units} units but ${inputs} inputs`);
      return { kind: 'flatten', inShape, ...noParams() };
    }
    case 'dropout': {
      if (typeof l.rate !== 'number' || !(l.rate >= 0 && l.rate < 1)) fail(`${at} (dropout) rate must be a number in [0, 1), got ${JSON.stringify(l.rate)}`);
      if (typeof l.seed !== 'number' || !Number.isSafeInteger(l.seed) || l.seed < 0) fail(`${at} (dropout) seed must be an integer ≥ 0, got ${JSON.stringify(l.seed)}`);
      if (units !== inputs) fail(`${at} (dropout) has ${units} units but ${inputs} inputs`);
      return { kind: 'dropout', rate: l.rate as number, seed: l.seed as number, ...noParams() };
    }
    default:
      return fail(`${at} has kind ${JSON.stringify(kind)}; expected dense, conv2d, maxPool2d, avgPool2d, flatten or dropout`);
  }
}

const weightsOf = (f: number, c: number, k: readonly [number, number]) => f * c * k[0] * k[1];

/** The shape a layer hands on: its image outShape, or [units]. */
function outputOf(l: LayerSpec): readonly number[] {
  if (l.kind === 'conv2d' || l.kind === 'maxPool2d' || l.kind === 'avgPool2d') return l.outShape;
  if (l.kind === 'dropout') return [l.units];
  return [l.units];
}

/**
 * The layer list from JSON, for a model whose input is `input` ([C, H, W]) or flat (null: the first layer's
 * inputs). Dropout passes an image through unchanged in memory; its shape is carried on to the next layer.
 */
export function checkLayerSpecs(raw: unknown, input: ImageShape | null, fail: Fail): LayerSpec[] {
  if (!Array.isArray(raw) || raw.length === 0) return fail(`must be a non-empty array of layers, got ${JSON.stringify(raw)?.slice(0, 60)}`);
  if (raw.length > MAX_SAVED_LAYERS) fail(`declares ${raw.length} layers, above the limit of ${MAX_SAVED_LAYERS}`);
  let shape: readonly number[] = input ?? [checkSize((raw[0] as { inputs?: unknown } | null)?.inputs, 'layer 0 inputs', fail)];
  let total = 0;
  return raw.map((r: unknown, i) => {
    const spec = checkOne(r, i, shape, fail);
    shape = spec.kind === 'dropout' ? shape : outputOf(spec);
    total += spec.kind === 'conv2d' ? weightsOf(spec.filters, spec.inShape[0], spec.kernel) : spec.kind === undefined || spec.kind === 'dense' ? spec.units * spec.inputs : 0;
    if (total > MAX_PARAMETERS) fail(`declares more than ${MAX_PARAMETERS} weights by layer ${i}`);
    return spec;
  });
}

/** A spec as one canonical line (keys sorted; a dense spec's kind left out): for comparing specs and naming a difference. */
export function describeSpec(l: LayerSpec): string {
  return JSON.stringify(Object.fromEntries(Object.entries(l).filter(([k]) => k !== 'kind' || l.kind !== 'dense').sort(([a], [b]) => (a < b ? -1 : 1))));
}
