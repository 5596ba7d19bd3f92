// Online SGD, mini-batch and full batch differ exactly as the lectures define them.
import { describe, expect, it } from 'vitest';
import { dense, sequential, sgd } from '../src/index.ts';
import type { LayerParams } from '../src/index.ts';

type Net = { W1: number[][]; b1: number[]; W2: number[][]; b2: number[] };
const sig = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * One update of a 2-3-2 net (sigmoid hidden, linear output, E = ½Σ(d−y)²) on `batch`, written out by
 * hand with nested arrays: Δw = η·(1/B)·Σ_k δ(k)·x(k), every δ from the weights before the update.
 */
function handStep(n: Net, batch: { x: number[]; d: number[] }[], eta: number): Net {
  const B = batch.length;
  const gW1 = n.W1.map((r) => r.map(() => 0));
  const gb1 = n.b1.map(() => 0);
  const gW2 = n.W2.map((r) => r.map(() => 0));
  const gb2 = n.b2.map(() => 0);
  for (const { x, d } of batch) {
    const h = n.W1.map((w, j) => sig(w[0] * x[0] + w[1] * x[1] + n.b1[j]));
    const y = n.W2.map((w, k) => w[0] * h[0] + w[1] * h[1] + w[2] * h[2] + n.b2[k]);
    const dOut = y.map((yk, k) => 1 * (d[k] - yk)); // linear: f' = 1
    const dHid = h.map((hj, j) => hj * (1 - hj) * (n.W2[0][j] * dOut[0] + n.W2[1][j] * dOut[1]));
    dOut.forEach((dk, k) => {
      h.forEach((hj, j) => (gW2[k][j] += dk * hj));
      gb2[k] += dk;
    });
    dHid.forEach((dj, j) => {
      x.forEach((xi, i) => (gW1[j][i] += dj * xi));
      gb1[j] += dj;
    });
  }
  const move = (w: number, g: number) => w + (eta * g) / B;
  return {
    W1: n.W1.map((r, j) => r.map((w, i) => move(w, gW1[j][i]))),
    b1: n.b1.map((b, j) => move(b, gb1[j])),
    W2: n.W2.map((r, k) => r.map((w, j) => move(w, gW2[k][j]))),
    b2: n.b2.map((b, k) => move(b, gb2[k])),
  };
}

const START: Net = {
  W1: [
    [0.3, -0.2],
    [0.1, 0.4],
    [-0.5, 0.2],
  ],
  b1: [0.1, -0.1, 0.05],
  W2: [
    [0.2, -0.3, 0.5],
    [0.4, 0.1, -0.2],
  ],
  b2: [0.0, 0.1],
};
const DATA = [
  { x: [0.5, -1.0], d: [1, 0] },
  { x: [1.5, 0.25], d: [0, 1] },
  { x: [-0.75, 0.5], d: [0.5, 0.5] },
  { x: [0.1, 0.9], d: [1, 1] },
  { x: [-1.2, -0.4], d: [0, 0] },
];
const ETA = 0.3;

const toParams = (n: Net): LayerParams[] => [
  { W: Float32Array.from(n.W1.flat()), b: Float32Array.from(n.b1) },
  { W: Float32Array.from(n.W2.flat()), b: Float32Array.from(n.b2) },
];

async function trained(batchSize: number | 'full', patterns = DATA) {
  const model = sequential([dense(2, 3, { activation: 'sigmoid' }), dense(3, 2, { activation: 'linear' })]);
  model.compile({ loss: 'halfSumSquared', optimizer: sgd(ETA), backend: 'cpu' });
  await model.setWeights(toParams(START));
  await model.fit(
    patterns.map((p) => p.x),
    patterns.map((p) => p.d),
    { epochs: 1, batchSize, shuffle: false },
  );
  return model.getWeights();
}

function expectSame(got: LayerParams[], want: Net) {
  const w = toParams(want);
  got.forEach((layer, l) => {
    // float32 engine vs float64 hand computation over ≤ 5 terms: 1e-6 is generous yet catches a wrong average
    Array.from(layer.W).forEach((v, k) => expect(v).toBeCloseTo(w[l].W[k], 6));
    Array.from(layer.b).forEach((v, k) => expect(v).toBeCloseTo(w[l].b[k], 6));
  });
}

describe('training modes', () => {
  it('mini-batch: one step averages Δw over the batch (computed by hand)', async () => {
    expectSame(await trained(3, DATA.slice(0, 3)), handStep(START, DATA.slice(0, 3), ETA));
  });

  it('mini-batch with a short last batch: 5 patterns in batches of 2 are 3 updates, the last over 1 pattern', async () => {
    let n = handStep(START, DATA.slice(0, 2), ETA);
    n = handStep(n, DATA.slice(2, 4), ETA);
    n = handStep(n, DATA.slice(4), ETA);
    expectSame(await trained(2), n);
  });

  it('online SGD: an update after every pattern, each from the weights the previous one left', async () => {
    let n = START;
    for (const p of DATA) n = handStep(n, [p], ETA);
    expectSame(await trained(1), n);
  });

  it('full batch: one averaged update per epoch', async () => {
    expectSame(await trained('full'), handStep(START, DATA, ETA));
  });

  it('the three modes give different weights on the same data', async () => {
    const [online, mini, full] = [await trained(1), await trained(2), await trained('full')];
    expect(online[0].W[0]).not.toBeCloseTo(mini[0].W[0], 5);
    expect(mini[0].W[0]).not.toBeCloseTo(full[0].W[0], 5);
  });
});
