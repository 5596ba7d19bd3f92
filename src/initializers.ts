/**
 * Initial weights, all drawn from the model's one seeded generator (src/random.ts) so a seed fixes them.
 *   uniform       U(−r, r), as the lectures do (r = 0.5 unless given)
 *   glorotUniform U(−√(6/(in+out)), +…)  Xavier/Glorot: keeps sigmoid/tanh activations in range
 *   heUniform     U(−√(6/in), +…)        He: the same for ReLU, which zeroes half its inputs
 *   heNormal      N(0, 2/in)
 * Biases start at zero. in/out are the fans: a dense layer's inputs and units, a conv2d layer's C·kh·kw and F·kh·kw.
 */
import type { Random } from './random.ts';

export type InitializerName = 'uniform' | 'glorotUniform' | 'heUniform' | 'heNormal';
export type Initializer = InitializerName | { type: 'uniform'; range: number };

export const INITIALIZERS: readonly InitializerName[] = ['uniform', 'glorotUniform', 'heUniform', 'heNormal'];

/**
 * Checks an initializer where the layer is declared, so a NaN or negative range fails by name instead of
 * drawing NaN weights that train silently.
 */
export function checkInitializer(init: unknown): Initializer {
  const type = typeof init === 'string' ? init : typeof init === 'object' && init !== null ? (init as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !(INITIALIZERS as readonly string[]).includes(type)) {
    throw new RangeError(`unknown initializer '${String(type ?? init)}'; expected one of ${INITIALIZERS.join(', ')}`);
  }
  if (typeof init === 'object') {
    const range = (init as { range?: unknown }).range;
    if (type !== 'uniform') throw new RangeError(`initializer {type: '${type}'} takes no options; write '${type}'`);
    if (typeof range !== 'number' || !Number.isFinite(range) || range <= 0) {
      throw new RangeError(`initializer range must be a finite number > 0, got ${typeof range === 'string' ? JSON.stringify(range) : String(range)}`);
    }
  }
  return init as Initializer;
}

/** A dense layer's W (units × inputs): fan_in = inputs, fan_out = units. */
export function initialWeights(init: Initializer, inputs: number, units: number, rng: Random): Float32Array {
  return drawWeights(init, inputs * units, inputs, units, rng);
}

/**
 * `count` weights for a layer whose units each see `fanIn` inputs and whose inputs each feed `fanOut` units.
 * For a conv2d layer these are Keras's receptive-field fans: fan_in = C·kh·kw, fan_out = F·kh·kw.
 */
export function drawWeights(init: Initializer, count: number, fanIn: number, fanOut: number, rng: Random): Float32Array {
  const W = new Float32Array(count);
  const type = typeof init === 'string' ? init : init.type;
  if (!INITIALIZERS.includes(type)) {
    throw new RangeError(`unknown initializer '${String(type)}'; expected one of ${INITIALIZERS.join(', ')}`);
  }
  if (type === 'heNormal') {
    const sd = Math.sqrt(2 / fanIn);
    for (let k = 0; k < W.length; k++) W[k] = sd * rng.normal();
    return W;
  }
  const r =
    type === 'uniform'
      ? typeof init === 'string'
        ? 0.5
        : init.range
      : type === 'glorotUniform'
        ? Math.sqrt(6 / (fanIn + fanOut))
        : Math.sqrt(6 / fanIn);
  for (let k = 0; k < W.length; k++) W[k] = rng.uniform(-r, r);
  return W;
}
