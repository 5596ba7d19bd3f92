/**
 * Checks on a model's declaration (the argument of sequential()), done before a single weight is drawn: the
 * layer list must be layers made by dense(), conv2d(), maxPool2d(), avgPool2d(), flatten() or dropout() (a
 * hand-edited one gets the same size checks those do), and the declared parameter count must fit the host
 * cap (MAX_PARAMETERS), so a typo like 1e9 units fails here by name rather than in V8 ("Invalid typed array
 * length") or after gigabytes are initialised.
 */
import type { Layer } from './layers/shapes.ts';
import { parameterCount } from './layers/summary.ts';
import { parseInputShape, positiveInteger } from './layers/common.ts';
import type { Shape } from './layers/common.ts';
import type { LayerSpec } from './backend.ts';
import { MAX_PARAMETERS, describeValue } from './validate.ts';

const KINDS = ['dense', 'conv2d', 'maxPool2d', 'avgPool2d', 'flatten', 'dropout'];

/** The sizes a layer object holds, checked again: a hand-made or edited layer is held to what its maker checks. */
function checkSizes(l: Record<string, unknown>, i: number): void {
  const at = (k: string) => `sequential: layer ${i} ${k}`;
  const pairOf = (k: string) => {
    const v = l[k];
    if (!Array.isArray(v) || v.length !== 2) throw new RangeError(`${at(k)} must be [height, width], got ${describeValue(v)}`);
    v.forEach((n, j) => positiveInteger(n, `${at(k)}[${j}]`));
  };
  switch (l.kind) {
    case 'dense':
      // inputs null: inferred from the layer before
      if (l.inputs !== null) positiveInteger(l.inputs, at('inputs'));
      positiveInteger(l.units, at('units'));
      break;
    case 'conv2d':
      positiveInteger(l.filters, at('filters'));
      pairOf('kernel');
      pairOf('stride');
      if (l.padding !== 'valid' && l.padding !== 'same') throw new RangeError(`${at('padding')} must be 'valid' or 'same', got ${describeValue(l.padding)}`);
      break;
    case 'maxPool2d':
    case 'avgPool2d':
      pairOf('size');
      pairOf('stride');
      break;
    case 'dropout':
      if (typeof l.rate !== 'number' || !(l.rate >= 0 && l.rate < 1)) throw new RangeError(`${at('rate')} must be a number in [0, 1), got ${describeValue(l.rate)}`);
      break;
  }
}

export function checkLayerList(layers: unknown, options: unknown): asserts layers is Layer[] {
  if (!Array.isArray(layers)) {
    throw new TypeError(`sequential: expected an array of layers such as [dense(2, 3), dense(3, 1)], got ${describeValue(layers)}`);
  }
  if (layers.length === 0) throw new RangeError('sequential: a model needs at least one layer');
  layers.forEach((l, i) => {
    if (typeof l !== 'object' || l === null || !KINDS.includes((l as { kind?: unknown }).kind as string)) {
      throw new TypeError(`sequential: layer ${i} is ${describeValue(l)}, expected a layer made by dense(inputs, units), dense(units), conv2d, maxPool2d, avgPool2d, flatten or dropout`);
    }
    checkSizes(l as Record<string, unknown>, i);
  });
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`sequential: options must be an object such as {seed: 1}, got ${describeValue(options)}`);
  }
  const seed = (options as { seed?: unknown } | undefined)?.seed;
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0)) {
    throw new RangeError(`sequential: seed must be a non-negative integer, got ${describeValue(seed)}`);
  }
}

/** sequential's inputShape option (Keras's order), or null when not given. */
export function modelInputShape(options: { inputShape?: unknown } | undefined): Shape | null {
  return options?.inputShape === undefined ? null : parseInputShape(options.inputShape, 'sequential: inputShape');
}

/** How a layer is named in a size error: "784 → 10 units" for dense, "conv2d 3×3, 32 → 64 filters" for conv. */
function describeLayer(l: LayerSpec): string {
  if (l.kind === 'conv2d') return `conv2d ${l.kernel[0]}×${l.kernel[1]}, ${l.inShape[0]} → ${l.filters} filters`;
  return `${l.inputs} → ${l.units} units`;
}

/** Throws if the layers declare more than MAX_PARAMETERS parameters, naming the largest layer. */
export function checkModelSize(layers: readonly LayerSpec[]): void {
  const counts = layers.map(parameterCount);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= MAX_PARAMETERS) return;
  const big = counts.indexOf(Math.max(...counts));
  throw new RangeError(
    `sequential: the model declares ${total} parameters (${(total * 4 / 2 ** 30).toFixed(1)} GiB of float32), above the limit of ` +
      `${MAX_PARAMETERS} (1 GiB); the largest is layer ${big}, ${describeLayer(layers[big])} with ${counts[big]} parameters`,
  );
}

/**
 * The largest array a call makes on the host: a batch's activations (rows × units, per layer) in fit, or the
 * outputs (rows × units) of predict. Held to the same 1 GiB of float32 as the parameters, so too large a
 * batch fails by name, with what to change, instead of with V8's "Invalid typed array length".
 */
export function checkRowsThroughLayers(layers: readonly { units: number }[], rows: number, call: 'fit' | 'predict'): void {
  const sizes = call === 'fit' ? layers.map((l) => l.units) : [layers[layers.length - 1].units];
  const units = Math.max(...sizes);
  const values = rows * units;
  if (values <= MAX_PARAMETERS) return;
  const l = call === 'fit' ? sizes.indexOf(units) : layers.length - 1;
  const fix = call === 'fit' ? 'use a smaller batchSize' : 'predict in slices of fewer rows';
  throw new RangeError(
    `${call}: ${rows} rows through layer ${l}'s ${units} units need ${values} values in one array (${(values * 4 / 2 ** 30).toFixed(1)} GiB of float32), ` +
      `above the limit of ${MAX_PARAMETERS} (1 GiB); ${fix}`,
  );
}
