/** Small seeded networks and data sets: what verify trains on both backends (and the WebGPU tests reuse). */
import type { LayerParams, LayerSpec, NetworkSpec } from '../backend.ts';
import type { ActivationName } from '../activations.ts';
import type { LossName } from '../losses.ts';
import { resolveOptimizer } from '../optimizers.ts';
import type { OptimizerConfig } from '../optimizers.ts';
import type { Random } from '../random.ts';
import type { Matrix } from '../tensor.ts';

export interface NetworkCase {
  /** inputs, hidden…, outputs */
  sizes: number[];
  hidden: ActivationName;
  output: ActivationName;
  loss: LossName;
  optimizer: OptimizerConfig;
  bias?: boolean;
}

export function makeSpec(c: NetworkCase): NetworkSpec {
  const layers: LayerSpec[] = [];
  for (let l = 1; l < c.sizes.length; l++) {
    const out = l === c.sizes.length - 1;
    layers.push({ inputs: c.sizes[l - 1], units: c.sizes[l], activation: out ? c.output : c.hidden, bias: c.bias ?? true, alpha: 0.2 });
  }
  return { layers, loss: c.loss, optimizer: resolveOptimizer(c.optimizer) };
}

export function makeParams(spec: NetworkSpec, rng: Random): LayerParams[] {
  return spec.layers.map((l) => {
    const s = Math.sqrt(6 / (l.inputs + l.units));
    return {
      W: Float32Array.from({ length: l.units * l.inputs }, () => rng.uniform(-s, s)),
      b: Float32Array.from({ length: l.bias ? l.units : 0 }, () => rng.uniform(-0.1, 0.1)),
    };
  });
}

/** Inputs in [-1, 1); targets one-hot (multi-output) or 0/1 (single output) from a fixed random rule. */
export function makeData(rows: number, inputs: number, outputs: number, rng: Random): { x: Matrix; y: Matrix } {
  const x = Float32Array.from({ length: rows * inputs }, () => rng.uniform(-1, 1));
  const y = new Float32Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < inputs; i++) s += x[r * inputs + i] * Math.sin(i + 1);
    if (outputs === 1) y[r] = s > 0 ? 1 : 0;
    else y[r * outputs + (Math.floor(Math.abs(s) * 3) % outputs)] = 1;
  }
  return { x: { data: x, rows, cols: inputs }, y: { data: y, rows, cols: outputs } };
}

