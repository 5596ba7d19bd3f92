/**
 * The RBF network (Redes de Base Radial): the lecture's XOR table, the output weights learned by the
 * delta rule, k-means centres and cluster widths on hand-checkable data, the rbf layer inside sequential,
 * named errors, and the same numbers from the webgpu backend (the distance matmul + epilogue itself is
 * checked against the CPU on odd shapes in webgpu-rbf.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { rbfXorLecture, trainRbfXor } from '../src/examples/rbf-xor.ts';
import type { RbfXorResult } from '../src/examples/rbf-xor.ts';
import { rbf } from '../src/rbf/rbf.ts';
import { kMeans } from '../src/rbf/kmeans.ts';
import { rbfFeaturesCpu } from '../src/backends/cpu/rbf.ts';
import { dense, sequential, sgd, adam, encodeModel, decodeModel } from '../src/index.ts';
import { Random } from '../src/random.ts';
import { main } from '../src/cli/main.ts';
import { haveGpu, sharedGpu, testKernel } from './helpers/gpu.ts';
import { createWebGpuBackend } from '../src/backends/webgpu/index.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const round1 = (v: number) => Math.round(v * 10) / 10 + 0; // + 0 turns −0 into 0

/** The lecture's table, to its printed precision (one decimal). */
const LECTURE_PHI = [
  [1.0, 0.6, 0.6, 0.4],
  [0.6, 1.0, 0.4, 0.6],
  [0.6, 0.4, 1.0, 0.6],
  [0.4, 0.6, 0.6, 1.0],
];

function expectLectureTable(r: RbfXorResult) {
  expect(r.centers).toEqual([[0, 0], [0, 1], [1, 0], [1, 1]]);
  expect(r.sigma).toEqual([1, 1, 1, 1]);
  expect(r.phi.map((row) => row.map(round1))).toEqual(LECTURE_PHI);
  // and unrounded: e^0, e^−½, e^−1 (float32)
  const exact = [1, Math.exp(-0.5), Math.exp(-0.5), Math.exp(-1)];
  r.phi[0].forEach((p, j) => expect(Math.abs(p - exact[j])).toBeLessThan(1e-6));
  expect(r.weights).toEqual([-1, 1, 1, -1]);
  expect(r.bias).toBe(0);
  expect(r.sums.map(round1)).toEqual([-0.2, 0.2, 0.2, -0.2]);
  // the lecture sums its rounded φ: −1 + 0.6 + 0.6 − 0.4 = −0.2 exactly (to rounding)
  const rounded = LECTURE_PHI.map((row) => row.reduce((s, p, j) => s + p * r.weights[j], 0));
  rounded.forEach((s, i) => expect(s).toBeCloseTo([-0.2, 0.2, 0.2, -0.2][i], 12));
  expect(r.outputs).toEqual([0, 1, 1, 0]);
}

describe('RBF XOR (lecture) on the CPU', () => {
  it('reproduces the table: φ rows, Σ w·φ and the outputs', async () => {
    expectLectureTable(await rbfXorLecture('cpu'));
  });

  it('--train learns output weights from zero: the lecture sign pattern, XOR outputs, z fits d', async () => {
    const r = await trainRbfXor({ backend: 'cpu', epochs: 200 });
    expect(r.outputs).toEqual([0, 1, 1, 0]);
    expect(r.weights.map(Math.sign)).toEqual([-1, 1, 1, -1]);
    r.sums.forEach((z, i) => expect(Math.abs(z - [0, 1, 1, 0][i])).toBeLessThan(1e-3));
    expect(r.loss!.at(-1)!).toBeLessThan(r.loss![0] / 100);
  });

  it('deltagpu rbf --example xor --format json has the issue fields', async () => {
    const lines: string[] = [];
    expect(await main(['rbf', '--example', 'xor', '--backend', 'cpu', '--format', 'json'], (s) => lines.push(s))).toBe(0);
    const j = JSON.parse(lines[0]);
    expect(Object.keys(j).sort()).toEqual(['bias', 'centers', 'outputs', 'phi', 'sigma', 'sums', 'weights']);
    expect(j.outputs).toEqual([0, 1, 1, 0]);
  });
});

describe('k-means centres and cluster widths', () => {
  const cpuDistances = async (x: { data: Float32Array; rows: number; cols: number }, c: Float32Array) => rbfFeaturesCpu(x, c, new Float64Array(c.length / x.cols).fill(1), 'distance');

  it('two pairs of points: centres at their means, σ² = (1/N_j)·Σ‖x − c_j‖² = 1', async () => {
    const layer = rbf(2, 2, { seed: 3 });
    await layer.adapt({ data: Float32Array.of(0, 0, 2, 0, 10, 10, 10, 12), rows: 4, cols: 2 });
    const c = Array.from(layer.centers!);
    const pairs = [c.slice(0, 2), c.slice(2, 4)].sort((a, b) => a[0] - b[0]);
    expect(pairs).toEqual([[1, 0], [10, 11]]);
    expect(Array.from(layer.sigma2!)).toEqual([1, 1]);
  });

  it('a cluster of one point gets the floor ½·(squared distance to the nearest other centre)', async () => {
    const layer = rbf(2, 2, { seed: 1 });
    await layer.adapt({ data: Float32Array.of(0, 0, 0, 2, 10, 0), rows: 3, cols: 2 });
    const c = layer.centers!;
    const single = c[0] === 10 ? 0 : 1;
    expect(Array.from(c.subarray(single * 2, single * 2 + 2))).toEqual([10, 0]);
    expect(layer.sigma2![1 - single]).toBe(1);
    // σ is held at float32 precision (so a saved model reloads it exactly): σ² = fround(√50.5)², within 1e-7 of 50.5
    expect(layer.sigma2![single]).toBe(Math.fround(Math.sqrt(50.5)) ** 2);
    expect(Math.abs(layer.sigma2![single] / 50.5 - 1)).toBeLessThan(1.2e-7);
  });

  it('three seeded blobs: k-means finds their centres and converges', async () => {
    const rng = new Random(5);
    const means = [[0, 0], [5, 5], [-5, 5]];
    const data = new Float32Array(150 * 2);
    for (let r = 0; r < 150; r++) {
      const m = means[r % 3];
      data[2 * r] = m[0] + 0.3 * rng.normal();
      data[2 * r + 1] = m[1] + 0.3 * rng.normal();
    }
    const km = await kMeans({ data, rows: 150, cols: 2 }, 3, cpuDistances, { seed: 2 });
    expect(km.converged).toBe(true);
    for (const m of means) {
      const d = Math.min(...[0, 1, 2].map((j) => Math.hypot(km.centers[2 * j] - m[0], km.centers[2 * j + 1] - m[1])));
      expect(d).toBeLessThan(0.15);
    }
  });
});

describe('rbf layer in sequential', () => {
  function blobs(n: number, seed: number) {
    const rng = new Random(seed);
    const means = [[0, 0], [3, 3], [-3, 3]];
    const x: number[][] = [];
    const y: number[][] = [];
    for (let r = 0; r < n; r++) {
      const k = r % 3;
      x.push([means[k][0] + 0.5 * rng.normal(), means[k][1] + 0.5 * rng.normal()]);
      y.push([0, 1, 2].map((c) => (c === k ? 1 : 0)));
    }
    return { x, y };
  }

  it('k-means at the first fit, then the softmax output learns three blobs; summary lists the rbf layer', async () => {
    const { x, y } = blobs(90, 1);
    const model = sequential([rbf(2, 6, { seed: 1 }), dense(6, 3, { activation: 'softmax' })]);
    model.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.05), backend: 'cpu' });
    await model.fit(x, y, { epochs: 30, batchSize: 10 });
    expect((await model.evaluate(x, y)).accuracy).toBe(1);
    expect(model.summary()).toMatch(/rbf\s+2 → 6\s+gaussian/);
    expect(model.front!.centers!.length).toBe(12);
    // saved and loaded with its centres and σ (the file format itself: rbf-save.test.ts)
    const { model: again } = await decodeModel(await encodeModel(model), 'blobs.safetensors', { backend: 'cpu' });
    expect((await again.evaluate(x, y)).accuracy).toBe(1);
    await again.dispose();
    await model.dispose();
  });

  it('bad input gets named errors', async () => {
    expect(() => rbf(2, 0)).toThrow(/number of centres must be a positive integer, got 0/);
    expect(() => rbf(2, 3, { sigma: 0 })).toThrow(/sigma must be > 0, got 0/);
    expect(() => rbf(2, 3, { sigma: [1, 1e-50, 1] })).toThrow(/sigma 1e-50 for centre 1 is outside float32's range/);
    expect(() => rbf(2, 3, { sigma: 1e39 })).toThrow(/sigma 1e\+39 is outside float32's range/);
    expect(() => rbf(2, 2, { sigma: [1, -2] })).toThrow(/sigma must be > 0, got -2 for centre 1/);
    expect(() => rbf(2, 2, { centers: [[0, 0]] })).toThrow(/centers must be 2×2/);
    expect(() => rbf(2, 1, { centers: [[0, NaN]] })).toThrow(/rbf centers has NaN/);
    expect(() => sequential([dense(2, 3), rbf(3, 2) as never])).toThrow(/rbf layer can only be the first layer/);
    expect(() => sequential([rbf(2, 4), dense(5, 1)])).toThrow(/layer 1 expects 5 inputs but the rbf layer has 4 centres/);
    const model = sequential([rbf(2, 5), dense(5, 1)]);
    model.compile({ loss: 'halfSumSquared', optimizer: sgd(0.1), backend: 'cpu' });
    await expect(model.fit([[0, 0], [1, 1]], [[0], [1]])).rejects.toThrow(/5 centres but only 2 training patterns/);
    await expect(model.fit([[0, NaN], [1, 1]], [[0], [1]])).rejects.toThrow(/x has NaN at row 0, column 1/);
    await expect(model.predict([[0, 0]])).rejects.toThrow(/no centres yet/);
    await model.dispose();
  });
});

describe('deltagpu train mnist --model rbf', () => {
  it('trains an RBF digit classifier on a few embedded digits (CPU) and reports its test accuracy', async () => {
    const lines: string[] = [];
    const code = await main(['train', 'mnist', '--model', 'rbf', '--centers', '30', '--train', '600', '--test', '200', '--epochs', '4', '--backend', 'cpu', '--json', '--lr', '0.2', '--out', join(mkdtempSync(join(tmpdir(), 'deltagpu-rbf-')), 'rbf.safetensors')], (s) => lines.push(s));
    expect(code).toBe(0);
    const j = JSON.parse(lines.at(-1)!);
    expect(j.model).toBe('rbf');
    expect(j.centers).toBe(30);
    // 10 classes: chance is 10%; 30 Gaussian units on 600 digits reach well above it
    expect(j.testAccuracy).toBeGreaterThan(0.6);
  }, 120_000);
  it('refuses more centres than training images', async () => {
    const code = await main(['train', 'mnist', '--model', 'rbf', '--centers', '50', '--train', '40', '--test', '10', '--backend', 'cpu'], () => {});
    expect(code).toBe(1);
  });
});

const ok = await haveGpu();
describe.skipIf(!ok)('RBF on the GPU', () => {
  it('the lecture table and the trained weights match the CPU', async () => {
    const gpu = await createWebGpuBackend({ context: (await sharedGpu())!, matmul: testKernel((await sharedGpu())!) });
    try {
      const g = await rbfXorLecture(gpu);
      expectLectureTable(g);
      const c = await rbfXorLecture('cpu');
      g.phi.flat().forEach((p, k) => expect(Math.abs(p - c.phi.flat()[k])).toBeLessThan(1e-6));
      const tg = await trainRbfXor({ backend: gpu, epochs: 40 });
      const tc = await trainRbfXor({ backend: 'cpu', epochs: 40 });
      tg.weights.forEach((w, j) => expect(Math.abs(w - tc.weights[j])).toBeLessThan(1e-4));
      expect(tg.outputs).toEqual(tc.outputs);
    } finally {
      gpu.dispose();
    }
  });

  it('k-means with GPU distances places the same centres as with CPU distances', async () => {
    const gpu = await createWebGpuBackend({ context: (await sharedGpu())!, matmul: testKernel((await sharedGpu())!) });
    try {
      const rng = new Random(8);
      const data = Float32Array.from({ length: 120 * 5 }, (_, k) => (Math.floor(k / 5) % 4) * 3 + 0.4 * rng.normal());
      const x = { data, rows: 120, cols: 5 };
      const [a, b] = [rbf(5, 4, { seed: 4 }), rbf(5, 4, { seed: 4 })];
      await a.adapt(x, null);
      await b.adapt(x, gpu);
      a.centers!.forEach((v, k) => expect(Math.abs(b.centers![k] - v)).toBeLessThan(1e-5));
      a.sigma2!.forEach((v, k) => expect(Math.abs(b.sigma2![k] - v)).toBeLessThan(1e-4 * v));
    } finally {
      gpu.dispose();
    }
  });
});
