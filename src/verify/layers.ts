/**
 * verify, part 3: the image layers — conv2d (each forward kernel: the reference and the tiled implicit GEMM,
 * with the input gradient and the filter/bias updates), max and average pooling, dropout (the Philox mask
 * drawn on the GPU) and flatten — as whole training steps on the WebGPU backend against the CPU reference
 * backend (src/backends/cpu/conv2d.ts etc., plain loops), checking every value a step produces: v, y, δ of
 * every layer, W and b after the update, the metrics; then evaluate and predict (dropout passes through).
 * Shapes are odd on purpose: stride 2, 'same' with an even kernel, 1×1, non-square images and kernels, 1 and
 * 3 channels, batch 1, a short last batch; ReLU before max pooling makes tied maxima (zeros), so the
 * first-maximum rule is exercised.
 */
import type { Backend, LayerParams, NetworkSpec } from '../backend.ts';
import { biasCount, weightCount } from '../backend.ts';
import type { ConvKernel } from '../backends/webgpu/conv2d.ts';
import { CONV_KERNELS } from '../backends/webgpu/conv2d.ts';
import { avgPool2d, conv2d, dense, dropout, flatten, maxPool2d } from '../layers/index.ts';
import { inferShapes } from '../layers/shapes.ts';
import type { Layer } from '../layers/shapes.ts';
import type { LossName } from '../losses.ts';
import { resolveOptimizer } from '../optimizers.ts';
import type { OptimizerConfig } from '../optimizers.ts';
import { Random } from '../random.ts';
import { STEP_WHY, stepTolerance } from './tolerance.ts';
import { Worst } from './result.ts';
import type { CheckResult } from './result.ts';

interface LayerNet {
  /** how the shape reads in the report, e.g. "3×6×7 conv2×2 same" */
  label: string;
  layers: () => Layer[];
  loss: LossName;
  optimizer: OptimizerConfig;
  rows: number;
  batch: number;
  steps: number;
}

export interface LayerGroup {
  name: string;
  /** the conv2d forward kernel forced on the backend (default: the tuned choice) */
  conv?: ConvKernel;
  nets: LayerNet[];
}

const SGD: OptimizerConfig = { type: 'sgd', learningRate: 0.1 };
const CCE: LossName = 'categoricalCrossentropy';

/** The conv nets every conv kernel is checked on. */
function convNets(): LayerNet[] {
  return [
    {
      label: '1×7×5 conv3×3 relu, batch 3',
      layers: () => [conv2d(3, 3, { activation: 'relu', inputShape: [7, 5, 1] }), flatten(), dense(2, { activation: 'sigmoid' })],
      loss: 'binaryCrossentropy', optimizer: SGD, rows: 3, batch: 3, steps: 1,
    },
    {
      label: '3×6×7 conv2×2 same tanh → conv1×1 stride 2 relu, batch 1',
      layers: () => [conv2d(2, 2, { padding: 'same', activation: 'tanh', inputShape: [6, 7, 3] }), conv2d(4, 1, { strides: 2, activation: 'relu' }), flatten(), dense(3, { activation: 'softmax' })],
      loss: CCE, optimizer: { type: 'adam', learningRate: 0.01 }, rows: 2, batch: 1, steps: 2,
    },
    {
      label: '2×9×8 conv3×2 stride 2 same leaky, 37 filters, batch 5 of 7',
      layers: () => [conv2d(37, [3, 2], { strides: 2, padding: 'same', activation: 'leakyRelu', inputShape: [9, 8, 2] }), flatten(), dense(1, { activation: 'sigmoid' })],
      loss: 'halfSumSquared', optimizer: { type: 'momentum', learningRate: 0.1, l2: 0.01 }, rows: 7, batch: 5, steps: 2,
    },
  ];
}

/** Every image-layer group. */
export function layerGroups(): LayerGroup[] {
  const groups: LayerGroup[] = CONV_KERNELS.map((conv) => ({
    name: `conv2d ${conv}${conv === 'direct' ? ' (reference)' : ' (implicit GEMM)'} forward, input gradient, filter and bias update`,
    conv,
    nets: convNets(),
  }));
  groups.push({
    name: 'maxPool2d forward and error (first maximum)',
    nets: [
      {
        label: '2×6×7 conv3×3 same relu → maxpool 2, batch 4',
        layers: () => [conv2d(3, 3, { padding: 'same', activation: 'relu', inputShape: [6, 7, 2] }), maxPool2d(2), flatten(), dense(3, { activation: 'softmax' })],
        loss: CCE, optimizer: SGD, rows: 4, batch: 4, steps: 1,
      },
      {
        label: '1×7×7 conv1×1 relu → maxpool 3 stride 2 (overlapping), batch 1',
        layers: () => [conv2d(2, 1, { activation: 'relu', inputShape: [7, 7, 1] }), maxPool2d(3, { strides: 2 }), flatten(), dense(2, { activation: 'sigmoid' })],
        loss: 'binaryCrossentropy', optimizer: SGD, rows: 2, batch: 1, steps: 2,
      },
    ],
  });
  groups.push({
    name: 'avgPool2d forward and error',
    nets: [
      {
        label: '3×5×6 conv2×2 tanh → avgpool [2,3] stride 1, batch 3',
        layers: () => [conv2d(2, 2, { activation: 'tanh', inputShape: [5, 6, 3] }), avgPool2d([2, 3], { strides: 1 }), flatten(), dense(3, { activation: 'softmax' })],
        loss: CCE, optimizer: SGD, rows: 3, batch: 3, steps: 1,
      },
    ],
  });
  groups.push({
    name: 'dropout (Philox mask drawn on the GPU, forward and error)',
    nets: [
      {
        label: '1×6×5 conv3×3 relu → dropout 0.5, 2 steps of 5',
        layers: () => [conv2d(4, 3, { activation: 'relu', inputShape: [6, 5, 1] }), dropout(0.5), flatten(), dense(3, { activation: 'softmax' })],
        loss: CCE, optimizer: SGD, rows: 9, batch: 5, steps: 2,
      },
      {
        label: '17 → dense 13 sigmoid → dropout 0.3 → dense 3, batch 7',
        layers: () => [dense(17, 13, { activation: 'sigmoid' }), dropout(0.3), dense(3, { activation: 'softmax' })],
        loss: CCE, optimizer: SGD, rows: 7, batch: 7, steps: 1,
      },
    ],
  });
  groups.push({
    name: "flatten (identity forward, the layer below's f' fused backward)",
    nets: [
      {
        label: '2×4×5 conv3×3 same sigmoid → flatten → dense, batch 2',
        layers: () => [conv2d(3, 3, { padding: 'same', activation: 'sigmoid', inputShape: [4, 5, 2] }), flatten(), dense(2, { activation: 'softmax' })],
        loss: CCE, optimizer: SGD, rows: 2, batch: 2, steps: 1,
      },
    ],
  });
  return groups;
}

/** Seeded weights (Glorot-sized by each layer's fans), inputs in [0, 1) and one-hot targets. */
function setup(net: LayerNet, seed: number) {
  const layers = inferShapes(net.layers(), null, 7).specs;
  const spec: NetworkSpec = { layers, loss: net.loss, optimizer: resolveOptimizer(net.optimizer) };
  const rng = new Random(seed);
  const init: LayerParams[] = layers.map((l) => {
    const s = Math.sqrt(6 / (l.inputs + l.units)) * 4;
    return { W: Float32Array.from({ length: weightCount(l) }, () => rng.uniform(-s, s)), b: Float32Array.from({ length: biasCount(l) }, () => rng.uniform(-0.1, 0.1)) };
  });
  const inputs = layers[0].inputs;
  const units = layers[layers.length - 1].units;
  const x = Float32Array.from({ length: net.rows * inputs }, () => rng.uniform(0, 1));
  const y = new Float32Array(net.rows * units);
  for (let r = 0; r < net.rows; r++) y[r * units + (units === 1 ? 0 : rng.int(units))] = units === 1 ? rng.int(2) : 1;
  return { spec, init, x: { data: x, rows: net.rows, cols: inputs }, y: { data: y, rows: net.rows, cols: units } };
}

/** Trains `net` on both backends and compares the last step, the parameters, the metrics, evaluate and predict. */
async function compareNet(cpu: Backend, gpu: Backend, net: LayerNet, worst: Worst): Promise<boolean> {
  const { spec, init, x, y } = setup(net, net.rows * 31 + net.steps);
  const order = new Random(5).permutation(net.rows);
  const out = [];
  for (const b of [cpu, gpu]) {
    const s = await b.compile(spec, init);
    try {
      const d = await s.upload(x, y);
      const m = await s.trainSteps(d, order, 0, net.batch, net.steps);
      out.push({ m, trace: await s.lastStep(), params: await s.getParams(), e: await s.evaluate(d), p: await s.predict(d) });
    } finally {
      s.dispose();
    }
  }
  const [c, g] = out;
  const tol = stepTolerance(spec.layers.reduce((n, l) => n + l.inputs, net.rows), net.steps);
  let ok = true;
  spec.layers.forEach((layer, l) => {
    const at = `${net.label}: layer ${l} (${layer.kind ?? 'dense'})`;
    ok &&= worst.close(g.trace.v[l], c.trace.v[l], tol, `${at} v`);
    ok &&= worst.close(g.trace.y[l], c.trace.y[l], tol, `${at} y`);
    ok &&= worst.close(g.trace.delta[l], c.trace.delta[l], tol, `${at} δ`);
    ok &&= worst.close(g.params[l].W, c.params[l].W, tol, `${at} W`);
    ok &&= worst.close(g.params[l].b, c.params[l].b, tol, `${at} b`);
  });
  ok &&= worst.close([g.m.lossSum, g.m.correct, g.m.count], [c.m.lossSum, c.m.correct, c.m.count], tol, `${net.label}: [loss, correct, count]`);
  ok &&= worst.close([g.e.lossSum, g.e.correct, g.e.count], [c.e.lossSum, c.e.correct, c.e.count], tol, `${net.label}: evaluate`);
  ok &&= worst.close(g.p, c.p, tol, `${net.label}: predict`);
  return ok;
}

/** Runs every image-layer group; `gpuFor(conv)` gives the backend (undefined: the default, tuned one). */
export async function checkLayers(
  cpu: Backend,
  gpuFor: (conv?: ConvKernel) => Promise<Backend>,
  filter?: RegExp,
  onResult?: (r: CheckResult) => void,
  quick = false,
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const g of layerGroups()) {
    if (filter && !filter.test(g.name)) continue;
    const worst = new Worst();
    const gpu = await gpuFor(g.conv);
    const tried: string[] = [];
    for (const net of quick ? g.nets.slice(0, 1) : g.nets) {
      tried.push(net.label);
      if (!(await compareNet(cpu, gpu, net, worst))) break;
    }
    const r = worst.result(g.name, g.conv ? `conv ${g.conv}` : 'tuned', tried, `|gpu−cpu|/(1+|cpu|) ≤ 4·n·2⁻²³·steps: ${STEP_WHY}`);
    out.push(r);
    onResult?.(r);
  }
  return out;
}
