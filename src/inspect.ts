/**
 * Looking inside a network on the host, for teaching views (the demo's per-unit maps and δ on hover):
 * every layer's outputs for a batch of inputs, and every unit's δ for one pattern and its target. Both run
 * the CPU reference kernels (src/backends/cpu/dense.ts, the oracle every backend is tested against) on a
 * copy of the weights, so what is shown is the engine's own math, not a second implementation of it. They take
 * any layer kinds (model.layers); each layer's values are rows × its flattened units (NCHW for images).
 */
import { backprop, forwardPass, newWorkspace } from './backends/cpu/network.ts';
import { resolveOptimizer } from './optimizers.ts';
import { weightCount } from './backend.ts';
import type { LayerParams, LayerSpec, NetworkSpec } from './backend.ts';
import type { LossName } from './losses.ts';
import type { Matrix } from './tensor.ts';

function specOf(layers: readonly LayerSpec[], loss: LossName): NetworkSpec {
  return {
    layers: [...layers],
    loss,
    // unused by the forward pass and δ; present because the spec type carries it
    optimizer: resolveOptimizer('sgd'),
  };
}

function check(layers: readonly LayerSpec[], params: readonly LayerParams[], x: Matrix, what: string): void {
  if (params.length !== layers.length) throw new RangeError(`${what}: ${params.length} layers of params for ${layers.length} layers`);
  layers.forEach((l, i) => {
    if (params[i].W.length !== weightCount(l)) throw new RangeError(`${what}: layer ${i} W has ${params[i].W.length} values, expected ${weightCount(l)}`);
  });
  if (x.cols !== layers[0].inputs) throw new RangeError(`${what}: x has ${x.cols} columns, expected ${layers[0].inputs}`);
  if (x.data.length !== x.rows * x.cols) throw new RangeError(`${what}: x has ${x.data.length} values, expected ${x.rows}×${x.cols}`);
}

/** Each layer's outputs y (rows × units) for the inputs x, given weights from `model.getWeights()`. */
export function layerOutputs(layers: readonly LayerSpec[], params: readonly LayerParams[], x: Matrix): Matrix[] {
  check(layers, params, x, 'layerOutputs');
  const spec = specOf(layers, 'halfSumSquared');
  const ws = newWorkspace(spec, x.rows, (n) => new Float32Array(n));
  forwardPass(spec, { W: params.map((p) => p.W), b: params.map((p) => p.b) }, x.data, x.rows, ws);
  return layers.map((l, i) => ({ data: ws.y[i] as Float32Array, rows: x.rows, cols: l.units }));
}

/** Each layer's δ (one array of `units` values per layer) for one pattern x with target d, under `loss`. */
export function patternDeltas(layers: readonly LayerSpec[], params: readonly LayerParams[], loss: LossName, x: ArrayLike<number>, d: ArrayLike<number>): Float32Array[] {
  const input = { data: Float32Array.from(x), rows: 1, cols: x.length };
  check(layers, params, input, 'patternDeltas');
  const outputs = layers[layers.length - 1].units;
  if (d.length !== outputs) throw new RangeError(`patternDeltas: target has ${d.length} values, expected ${outputs}`);
  const spec = specOf(layers, loss);
  const ws = newWorkspace(spec, 1, (n) => new Float32Array(n));
  const p = { W: params.map((q) => q.W), b: params.map((q) => q.b) };
  forwardPass(spec, p, input.data, 1, ws);
  backprop(spec, p, input.data, Float32Array.from(d), 1, ws);
  return ws.delta.map((a) => Float32Array.from(a));
}
