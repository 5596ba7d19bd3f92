/**
 * The simple perceptron: the lectures' threshold activations, the perceptron rule on the logic gates
 * (AND, OR, NAND converge, XOR never does), its named errors, the CLI, and the same run on the GPU.
 *
 * Golden values: the gate runs below (α = 0.1, zero start, unit step with step(0) = ½, patterns in the
 * order 00, 01, 10, 11) were computed by hand-written float64 Python, independent of this code:
 *   w = b = 0; per pattern y = step(w·x + b), e = d − y, w += 0.1·e·x, b += 0.1·e; count e ≠ 0 per epoch.
 * AND → errors 2 3 3 2 1 0, w = (0.2, 0.1), b = −0.25;  OR → 2 2 1 0, (0.1, 0.1), −0.05;
 * NAND → 2 3 3 2 1 0, (−0.2, −0.1), 0.25.
 */
import { describe, expect, it } from 'vitest';
import { activate, derivative } from '../src/activations.ts';
import { perceptron } from '../src/models/perceptron.ts';
import { trainGate } from '../src/examples/gates.ts';
import type { GateResult } from '../src/examples/gates.ts';
import { main } from '../src/cli/main.ts';
import { dense, sequential, sgd } from '../src/index.ts';
import { haveGpu, randomArray, sharedGpu, testKernel } from './helpers/gpu.ts';
import { createWebGpuBackend } from '../src/backends/webgpu/index.ts';

interface Golden {
  errors: number[];
  w: number[];
  b: number;
}
const GOLDEN: Record<'and' | 'or' | 'nand', Golden> = {
  and: { errors: [2, 3, 3, 2, 1, 0], w: [0.2, 0.1], b: -0.25 },
  or: { errors: [2, 2, 1, 0], w: [0.1, 0.1], b: -0.05 },
  nand: { errors: [2, 3, 3, 2, 1, 0], w: [-0.2, -0.1], b: 0.25 },
};

// float32 sums of a few multiples of 0.1: within 1e-6 of the float64 values
function expectGolden(r: GateResult, g: Golden) {
  expect(r.converged).toBe(true);
  expect(r.errorsPerEpoch).toEqual(g.errors);
  expect(r.epochs).toBe(g.errors.length);
  r.weights.forEach((w, i) => expect(Math.abs(w - g.w[i])).toBeLessThan(1e-6));
  expect(Math.abs(r.bias - g.b)).toBeLessThan(1e-6);
  expect(r.line).toEqual({ A: r.weights[0], B: r.weights[1], C: r.bias });
}

describe('threshold activations (the lectures table)', () => {
  it('unit step, sign and piecewise linear at and around their corners', () => {
    expect([-2, -1e-9, 0, 1e-9, 3].map((v) => activate('step', v))).toEqual([0, 0, 0.5, 1, 1]);
    expect([-2, -1e-9, 0, 1e-9, 3].map((v) => activate('sign', v))).toEqual([-1, -1, 0, 1, 1]);
    expect([-1, -0.5, -0.25, 0, 0.25, 0.5, 2].map((v) => activate('piecewiseLinear', v))).toEqual([0, 0, 0.25, 0.5, 0.75, 1, 1]);
    // f' = 0 almost everywhere: backpropagation through a threshold unit moves nothing
    expect([-1, 0.3, 2].map((v) => derivative('step', v, activate('step', v)))).toEqual([0, 0, 0]);
    expect([-1, 0.3, 2].map((v) => derivative('sign', v, activate('sign', v)))).toEqual([0, 0, 0]);
    expect([-1, 0.3, 2].map((v) => derivative('piecewiseLinear', v, activate('piecewiseLinear', v)))).toEqual([0, 1, 0]);
  });
});

describe('perceptron rule on the logic gates (CPU)', () => {
  for (const gate of ['and', 'or', 'nand'] as const) {
    it(`${gate.toUpperCase()} converges to the hand-computed line`, async () => {
      expectGolden(await trainGate(gate, { backend: 'cpu' }), GOLDEN[gate]);
    });
  }

  it('XOR never reaches an epoch without errors', async () => {
    const r = await trainGate('xor', { backend: 'cpu', epochs: 200 });
    expect(r.converged).toBe(false);
    expect(r.epochs).toBe(200);
    expect(Math.min(...r.errorsPerEpoch)).toBeGreaterThan(0);
  });

  it('the learned line separates AND: the perceptron classifies all four patterns', async () => {
    const p = perceptron(2, { backend: 'cpu' });
    await p.train([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [0], [0], [1]]);
    expect(await p.predict([[0, 0], [0, 1], [1, 0], [1, 1]])).toEqual([0, 0, 0, 1]);
    await p.dispose();
  });

  it('sign units learn ±1 targets; the trace shows e = d − y per pattern', async () => {
    const rows: { error: number; target: number; output: number }[] = [];
    const r = await trainGate('or', { backend: 'cpu', activation: 'sign', trace: (t) => rows.push(t) });
    expect(r.converged).toBe(true);
    expect(rows.length).toBe(4 * r.epochs);
    rows.forEach((t) => expect(t.error).toBe(t.target - t.output));
  });
});

describe('perceptron: bad input gets named errors', () => {
  const x = [[0, 0], [1, 1]];
  it('targets outside the activation range', async () => {
    await expect(perceptron(2, { backend: 'cpu' }).train(x, [[0], [-1]])).rejects.toThrow(/target d of pattern 1 is -1, but a step unit outputs 0 or 1/);
    await expect(perceptron(2, { activation: 'sign', backend: 'cpu' }).train(x, [[0], [1]])).rejects.toThrow(/pattern 0 is 0, but a sign unit outputs -1 or 1/);
    await expect(perceptron(2, { activation: 'piecewiseLinear', backend: 'cpu' }).train(x, [[0.5], [2]])).rejects.toThrow(/pattern 1 is 2.*in \[0, 1\]/);
  });
  it('NaN data, wrong shapes, bad options', async () => {
    await expect(perceptron(2, { backend: 'cpu' }).train([[0, NaN], [1, 1]], [[0], [1]])).rejects.toThrow(/x has NaN at row 0, column 1/);
    await expect(perceptron(2, { backend: 'cpu' }).train([[0, 0, 0]], [[0]])).rejects.toThrow(/x has 3 columns, expected 2/);
    expect(() => perceptron(2, { learningRate: 0 })).toThrow(/learningRate must be a positive number, got 0/);
    expect(() => perceptron(2, { weights: [1] })).toThrow(/weights has 1 values, expected 2/);
    expect(() => perceptron(2, { activation: 'sigmoid' as never })).toThrow(/activation must be step, sign or piecewiseLinear, got 'sigmoid'/);
  });
});

describe('deltagpu perceptron', () => {
  async function run(args: string[]) {
    const lines: string[] = [];
    const code = await main(['perceptron', ...args], (s) => lines.push(s));
    return { code, lines };
  }
  it('--format json for AND has the issue fields and the golden numbers', async () => {
    const { code, lines } = await run(['--gate', 'and', '--backend', 'cpu', '--format', 'json']);
    expect(code).toBe(0);
    const j = JSON.parse(lines[0]);
    expect(Object.keys(j).sort()).toEqual(['bias', 'converged', 'epochs', 'errorsPerEpoch', 'gate', 'line', 'weights'].sort());
    expect(j.errorsPerEpoch).toEqual(GOLDEN.and.errors);
    expect(j.line.C).toBeCloseTo(-0.25, 6);
  });
  it('says the line for OR and that no line separates XOR', async () => {
    expect((await run(['--gate', 'or', '--backend', 'cpu'])).lines.join('\n')).toMatch(/converged in 4 epochs[\s\S]*separating line: 0\.1000·x \+ 0\.1000·y − 0\.0500 = 0/);
    expect((await run(['--gate', 'xor', '--backend', 'cpu', '--epochs', '20'])).lines.join('\n')).toMatch(/no straight line separates XOR/);
  });
  it('rejects an unknown gate', async () => {
    expect((await run(['--gate', 'nor'])).code).toBe(1);
  });
});

const ok = await haveGpu();

describe.skipIf(!ok)('perceptron on the GPU', () => {
  it('AND, OR, NAND and XOR give the CPU numbers on the webgpu backend', async () => {
    const gpu = await createWebGpuBackend({ context: (await sharedGpu())!, matmul: testKernel((await sharedGpu())!) });
    try {
      for (const gate of ['and', 'or', 'nand'] as const) expectGolden(await trainGate(gate, { backend: gpu }), GOLDEN[gate]);
      const cpu = await trainGate('xor', { backend: 'cpu', epochs: 30 });
      const g = await trainGate('xor', { backend: gpu, epochs: 30 });
      expect(g.errorsPerEpoch).toEqual(cpu.errorsPerEpoch);
      expect(g.converged).toBe(false);
    } finally {
      gpu.dispose();
    }
  });

  it('the perceptron rule (loss perceptron, fused δ = d − y) on a random odd shape: 13 inputs, 5 step units, 37 patterns', async () => {
    const gpu = await createWebGpuBackend({ context: (await sharedGpu())!, matmul: testKernel((await sharedGpu())!) });
    try {
      const x = Array.from({ length: 37 }, (_, r) => Array.from(randomArray(13, 500 + r)));
      const d = Array.from({ length: 37 }, (_, r) => Array.from(randomArray(5, 900 + r), (v) => (v > 0 ? 1 : 0)));
      const runs = [];
      for (const backend of ['cpu', gpu] as const) {
        const m = sequential([dense(13, 5, { activation: 'step' })], { seed: 3 });
        m.compile({ loss: 'perceptron', optimizer: sgd(0.05), backend, onNotice: () => {} });
        for (const batchSize of [1, 8]) {
          const h = await m.fit(x, d, { epochs: 4, batchSize, shuffle: true });
          runs.push({ batchSize, loss: h.loss, params: (await m.getWeights())[0] });
        }
        await m.dispose();
      }
      for (let k = 0; k < 2; k++) {
        const [c, g] = [runs[k], runs[k + 2]];
        // the loss counts misclassified outputs: integers per pattern, identical when every threshold agrees
        expect(g.loss).toEqual(c.loss);
        g.params.W.forEach((w, i) => expect(Math.abs(w - c.params.W[i]), `batch ${c.batchSize} W[${i}]`).toBeLessThanOrEqual(1e-5));
        g.params.b.forEach((b, i) => expect(Math.abs(b - c.params.b[i])).toBeLessThanOrEqual(1e-5));
      }
      // the weights moved (errors were made and corrected)
      expect(runs[0].loss[0]).toBeGreaterThan(0);
    } finally {
      gpu.dispose();
    }
  });

  it('the threshold activations in the dense forward epilogue match the CPU on odd shapes', async () => {
    const gpu = await createWebGpuBackend({ context: (await sharedGpu())!, matmul: testKernel((await sharedGpu())!) });
    try {
      for (const [rows, inputs, units] of [[9, 13, 7], [33, 5, 17]]) {
        const W = randomArray(units * inputs, rows + inputs);
        const b = randomArray(units, units);
        const x = Array.from({ length: rows }, (_, r) => Array.from(randomArray(inputs, 100 + r)));
        // the net input v, to skip elements within rounding of a threshold (|v| or |v ± ½| < 1e-5)
        const lin = sequential([dense(inputs, units)]);
        lin.compile({ loss: 'halfSumSquared', optimizer: sgd(0.1), backend: 'cpu' });
        await lin.setWeights([{ W, b }]);
        const v = (await lin.predict(x)).data;
        for (const activation of ['step', 'sign', 'piecewiseLinear'] as const) {
          const out: Float32Array[] = [];
          for (const backend of ['cpu', gpu] as const) {
            const m = sequential([dense(inputs, units, { activation })]);
            m.compile({ loss: 'halfSumSquared', optimizer: sgd(0.1), backend, onNotice: () => {} });
            await m.setWeights([{ W, b }]);
            out.push((await m.predict(x)).data);
            await m.dispose();
          }
          let compared = 0;
          v.forEach((vk, k) => {
            if (Math.min(Math.abs(vk), Math.abs(vk - 0.5), Math.abs(vk + 0.5)) < 1e-5) return;
            expect(Math.abs(out[1][k] - out[0][k]), `${activation} [${k}]`).toBeLessThanOrEqual(1e-6);
            compared++;
          });
          expect(compared).toBeGreaterThan(v.length / 2);
        }
      }
    } finally {
      gpu.dispose();
    }
  });
});
