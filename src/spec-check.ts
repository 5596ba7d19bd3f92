/**
 * Checks on a model's declaration (the argument of sequential()), done before a single weight is drawn: the
 * layer list must be layers made by dense(), and the declared parameter count must fit the host cap
 * (MAX_PARAMETERS), so a typo like 1e9 units fails here by name rather than in V8 ("Invalid typed array
 * length") or after gigabytes are initialised.
 */
import type { DenseLayer } from './layers.ts';
import { MAX_PARAMETERS, describeValue } from './validate.ts';

export function checkLayerList(layers: unknown, options: unknown): asserts layers is DenseLayer[] {
  if (!Array.isArray(layers)) {
    throw new TypeError(`sequential: expected an array of layers such as [dense(2, 3), dense(3, 1)], got ${describeValue(layers)}`);
  }
  if (layers.length === 0) throw new RangeError('sequential: a model needs at least one layer');
  layers.forEach((l, i) => {
    if (typeof l !== 'object' || l === null || (l as { kind?: unknown }).kind !== 'dense') {
      throw new TypeError(`sequential: layer ${i} is ${describeValue(l)}, expected a layer made by dense(inputs, units)`);
    }
    // a hand-made or edited layer object gets the same size check dense() does
    for (const k of ['inputs', 'units'] as const) {
      const n = (l as Record<string, unknown>)[k];
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) throw new RangeError(`sequential: layer ${i} ${k} must be a positive integer, got ${describeValue(n)}`);
    }
  });
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`sequential: options must be an object such as {seed: 1}, got ${describeValue(options)}`);
  }
  const seed = (options as { seed?: unknown } | undefined)?.seed;
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0)) {
    throw new RangeError(`sequential: seed must be a non-negative integer, got ${describeValue(seed)}`);
  }
}

export function parameterCount(l: Pick<DenseLayer, 'inputs' | 'units' | 'bias'>): number {
  return l.units * l.inputs + (l.bias ? l.units : 0);
}

/** Throws if the layers declare more than MAX_PARAMETERS parameters, naming the largest layer. */
export function checkModelSize(layers: readonly DenseLayer[]): void {
  const counts = layers.map(parameterCount);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= MAX_PARAMETERS) return;
  const big = counts.indexOf(Math.max(...counts));
  const l = layers[big];
  throw new RangeError(
    `sequential: the model declares ${total} parameters (${(total * 4 / 2 ** 30).toFixed(1)} GiB of float32), above the limit of ` +
      `${MAX_PARAMETERS} (1 GiB); the largest is layer ${big}, ${l.inputs} → ${l.units} units with ${counts[big]} parameters`,
  );
}

/**
 * The largest array a call makes on the host: a batch's activations (rows × units, per layer) in fit, or the
 * outputs (rows × units) of predict. Held to the same 1 GiB of float32 as the parameters, so too large a
 * batch fails by name, with what to change, instead of with V8's "Invalid typed array length".
 */
export function checkRowsThroughLayers(layers: readonly DenseLayer[], rows: number, call: 'fit' | 'predict'): void {
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
