/**
 * verify, part 2: whole training steps on the WebGPU backend against the CPU reference backend (dense.ts,
 * plain loops), checking every value a step produces — v and y (forward epilogue, softmax), δ (output
 * delta per loss, backprop epilogue with f'), W and b (update epilogue + optimizer, bias reduction) and the
 * loss/accuracy metrics — so every fused kernel is covered through the path training really takes.
 *
 * The groups come from the engine's own lists (ACTIVATIONS, LOSSES, optimizers, MATMUL_KERNELS), so a kernel
 * added to one of them is verified without touching this file.
 */
import { ACTIVATIONS } from '../activations.ts';
import type { ActivationName } from '../activations.ts';
import { LOSSES } from '../losses.ts';
import type { LossName } from '../losses.ts';
import { OPTIMIZER_ID } from '../optimizers.ts';
import type { OptimizerConfig, OptimizerName } from '../optimizers.ts';
import type { Backend } from '../backend.ts';
import { Random } from '../random.ts';
import { makeData, makeParams, makeSpec } from './networks.ts';
import type { NetworkCase } from './networks.ts';
import { STEP_WHY, stepTolerance } from './tolerance.ts';
import { Worst } from './result.ts';
import type { CheckResult } from './result.ts';

/** rows × inputs × units */
type Shape = readonly [number, number, number];
const label = (s: Shape) => s.join('×');

export interface StepRun {
  /** patterns per step; default all rows (full batch) */
  batch?: number;
  /** steps in one trainSteps call; default 1 */
  steps?: number;
}

/**
 * Trains `net` (sizes [inputs, …, units]) on `rows` seeded patterns on both backends and compares the last
 * step's trace, the parameters after it and the summed metrics. Returns false at the first mismatch.
 */
export async function compareTraining(cpu: Backend, gpu: Backend, net: NetworkCase, rows: number, run: StepRun, worst: Worst): Promise<boolean> {
  const spec = makeSpec(net);
  const inputs = net.sizes[0];
  const units = net.sizes[net.sizes.length - 1];
  const init = makeParams(spec, new Random(rows + inputs + units));
  const { x, y } = makeData(rows, inputs, units, new Random(3));
  const order = new Random(5).permutation(rows);
  const batch = run.batch ?? rows;
  const steps = run.steps ?? 1;
  const results = [];
  for (const b of [cpu, gpu]) {
    const s = await b.compile(spec, init);
    try {
      const d = await s.upload(x, y);
      const m = await s.trainSteps(d, order, 0, batch, steps);
      results.push({ m, trace: await s.lastStep(), params: await s.getParams() });
    } finally {
      s.dispose();
    }
  }
  const [c, g] = results;
  const n = net.sizes.reduce((a, b) => a + b, 0) + rows;
  const tol = stepTolerance(n, steps);
  const at = `${net.sizes.join('-')} ${rows} rows`;
  let ok = true;
  spec.layers.forEach((_, l) => {
    ok &&= worst.close(g.trace.v[l], c.trace.v[l], tol, `${at}: v${l}`);
    ok &&= worst.close(g.trace.y[l], c.trace.y[l], tol, `${at}: y${l}`);
    ok &&= worst.close(g.trace.delta[l], c.trace.delta[l], tol, `${at}: δ${l}`);
    ok &&= worst.close(g.params[l].W, c.params[l].W, tol, `${at}: W${l}`);
    ok &&= worst.close(g.params[l].b, c.params[l].b, tol, `${at}: b${l}`);
  });
  ok &&= worst.close([g.m.lossSum, g.m.correct, g.m.count], [c.m.lossSum, c.m.correct, c.m.count], tol, `${at}: [loss, correct, count]`);
  return ok;
}

/** Evaluate (gather + forward + metrics, inference plan) and predict on both backends. */
async function compareInference(cpu: Backend, gpu: Backend, net: NetworkCase, rows: number, worst: Worst): Promise<boolean> {
  const spec = makeSpec(net);
  const units = net.sizes[net.sizes.length - 1];
  const init = makeParams(spec, new Random(rows));
  const { x, y } = makeData(rows, net.sizes[0], units, new Random(4));
  const out = [];
  for (const b of [cpu, gpu]) {
    const s = await b.compile(spec, init);
    try {
      const d = await s.upload(x, y);
      out.push({ m: await s.evaluate(d), p: await s.predict(d) });
    } finally {
      s.dispose();
    }
  }
  const tol = stepTolerance(net.sizes.reduce((a, b) => a + b, 0) + rows);
  const at = `${net.sizes.join('-')} ${rows} rows`;
  return (
    worst.close(out[1].p, out[0].p, tol, `${at}: predict`) &&
    worst.close([out[1].m.lossSum, out[1].m.correct, out[1].m.count], [out[0].m.lossSum, out[0].m.correct, out[0].m.count], tol, `${at}: evaluate [loss, correct, count]`)
  );
}

interface Group {
  name: string;
  /** which backend: the default (tuned) one, or one forced to a matmul kernel */
  kernel?: string;
  shapes: readonly Shape[];
  /** the shapes of verify's quick run (default: all of them) */
  quick?: readonly Shape[];
  net: (s: Shape) => NetworkCase | null;
  run?: StepRun | ((s: Shape) => StepRun);
  inference?: boolean;
}

const SGD: OptimizerConfig = { type: 'sgd', learningRate: 0.1 };

/** The output activation a loss is used with (the fused pairs where they exist). */
function outputFor(loss: LossName): ActivationName {
  if (loss === 'categoricalCrossentropy') return 'softmax';
  if (loss === 'binaryCrossentropy') return 'sigmoid';
  return 'tanh';
}

/** Every step-level group, built from the engine's lists. */
export function stepGroups(matmulKernels: readonly string[]): Group[] {
  const groups: Group[] = [];
  for (const a of ACTIVATIONS) {
    if (a === 'softmax') {
      groups.push({
        name: 'activation softmax (output layer, softmax.wgsl, chained δ)',
        shapes: [[3, 17, 5], [65, 129, 10]],
        net: ([, K, N]) => ({ sizes: [K, N], hidden: 'linear', output: 'softmax', loss: 'halfSumSquared', optimizer: SGD }),
      });
      continue;
    }
    groups.push({
      name: `activation ${a} (forward f, backprop f')`,
      shapes: [[1, 1, 1], [17, 63, 5], [65, 129, 17]],
      quick: [[1, 1, 1], [17, 63, 5]],
      net: ([, K, N]) => ({ sizes: [K, N + 2, N], hidden: a, output: a, loss: 'halfSumSquared', optimizer: SGD }),
    });
  }
  for (const loss of LOSSES) {
    const output = outputFor(loss);
    groups.push({
      name: `loss ${loss} with ${output} (output δ, loss/accuracy)`,
      shapes: [[3, 17, 1], [63, 65, 10]],
      net: ([, K, N]) => (N === 1 && output === 'softmax' ? null : { sizes: [K, N], hidden: 'linear', output, loss, optimizer: SGD }),
    });
  }
  for (const type of Object.keys(OPTIMIZER_ID) as OptimizerName[]) {
    for (const l2 of [0, 0.01]) {
      groups.push({
        name: `optimizer ${type}${l2 ? ' + L2' : ''} (W and b updates, 2 steps)`,
        shapes: [[17, 63, 5]],
        net: ([, K, N]) => ({ sizes: [K, N + 3, N], hidden: 'tanh', output: 'sigmoid', loss: 'halfSumSquared', optimizer: { type, learningRate: type === 'adam' ? 0.01 : 0.1, l2 } }),
        run: ([M]) => ({ batch: Math.ceil(M / 2), steps: 2 }),
      });
    }
  }
  for (const kernel of matmulKernels) {
    groups.push({
      name: `matmul ${kernel} fused epilogues (forward, backprop, update)`,
      kernel,
      // both shapes use the same activations, loss and optimizer, so one set of pipelines serves them
      // (SwiftShader takes seconds to compile each workgroup-memory kernel)
      shapes: [[129, 784, 10], [1, 3, 2]],
      net: ([, K, N]) => ({ sizes: [K, 65, N], hidden: 'relu', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.01 } }),
    });
  }
  const modes: [string, (M: number) => StepRun][] = [
    ['online (batch 1)', (M) => ({ batch: 1, steps: M })],
    ['mini-batch (batch 7, short last batch)', (M) => ({ batch: 7, steps: Math.ceil(M / 7) })],
    ['full batch', () => ({ steps: 3 })],
  ];
  for (const [mode, run] of modes) {
    groups.push({
      name: `training step, ${mode}`,
      shapes: [[17, 13, 3]],
      net: ([, K, N]) => ({ sizes: [K, 5, N], hidden: 'sigmoid', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'momentum', learningRate: 0.1 } }),
      run: ([M]) => run(M),
    });
  }
  groups.push({
    name: 'gather + evaluate (metrics) + predict',
    shapes: [[129, 65, 10], [1, 3, 1]],
    quick: [[1, 3, 1]],
    net: ([, K, N]) => ({ sizes: [K, 17, N], hidden: 'relu', output: 'sigmoid', loss: 'binaryCrossentropy', optimizer: SGD }),
    inference: true,
  });
  return groups;
}

/** Runs every group; `gpuFor(kernel)` gives the backend (undefined: the default, tuned one). */
export async function checkSteps(
  cpu: Backend,
  gpuFor: (kernel?: string) => Promise<Backend>,
  matmulKernels: readonly string[],
  filter?: RegExp,
  onResult?: (r: CheckResult) => void,
  quick = false,
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const g of stepGroups(matmulKernels)) {
    if (filter && !filter.test(g.name)) continue;
    const worst = new Worst();
    const gpu = await gpuFor(g.kernel);
    const tried: string[] = [];
    for (const shape of quick ? (g.quick ?? g.shapes) : g.shapes) {
      const net = g.net(shape);
      if (!net) continue;
      tried.push(label(shape));
      const run = typeof g.run === 'function' ? g.run(shape) : (g.run ?? {});
      const ok = g.inference ? await compareInference(cpu, gpu, net, shape[0], worst) : await compareTraining(cpu, gpu, net, shape[0], run, worst);
      if (!ok) break;
    }
    const r = worst.result(g.name, g.kernel ?? 'tuned', tried, `|gpu−cpu|/(1+|cpu|) ≤ 4·n·2⁻²³·steps: ${STEP_WHY}`);
    out.push(r);
    onResult?.(r);
  }
  return out;
}
