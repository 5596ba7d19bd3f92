/**
 * The single sigmoid neuron's two update rules (x = (0.1, 0.3), d = 0.03, w = (0.5, 0.2), b = 1.83, η = 0.01).
 *
 * Golden values from the lecture (rule without the derivative: 1.821556479, 0.499155648, 0.197466943) and,
 * for the gradient step, from hand-written float64 Python independent of this code:
 *   g = −(d − y)·y(1 − y) = 0.092760925582;  ∂E/∂w = (0.009276092558, 0.027828277675)
 *   after W ← W − η·∂E/∂W: b = 1.829072390744, w = (0.499907239074, 0.199721717223), E = 0.356370590749.
 * The lecture prints w2 = 0.197466943 truncated (the exact value is 0.19746694357), still within 1e-9.
 */
import { describe, expect, it } from 'vitest';
import { neuronLecture, neuronOnEngine } from '../src/examples/neuron.ts';
import { main } from '../src/cli/main.ts';
import { haveGpu, sharedGpu, testKernel } from './helpers/gpu.ts';
import { createWebGpuBackend } from '../src/backends/webgpu/index.ts';

const near = (got: number, want: number, tol: number) => expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThan(tol);

describe('single neuron: the lecture arithmetic in float64', () => {
  const r = neuronLecture();
  it('s, y, E', () => {
    near(r.s, 1.94, 1e-12);
    near(r.y, 0.874352143, 1e-9);
    near(r.E, 0.356465271, 1e-9);
  });
  it('the rule without the derivative gives (1.821556479, 0.499155648, 0.197466943) to 1e-9', () => {
    near(r.ruleWithoutDerivative.b, 1.821556479, 1e-9);
    near(r.ruleWithoutDerivative.w[0], 0.499155648, 1e-9);
    near(r.ruleWithoutDerivative.w[1], 0.197466943, 1e-9);
  });
  it('the gradient and one gradient step, which lowers E', () => {
    near(r.gradient.b, 0.092760925582, 1e-11);
    near(r.gradient.w[0], 0.009276092558, 1e-11);
    near(r.gradient.w[1], 0.027828277675, 1e-11);
    near(r.afterGradientStep.b, 1.829072390744, 1e-11);
    near(r.afterGradientStep.w[0], 0.499907239074, 1e-11);
    near(r.afterGradientStep.w[1], 0.199721717223, 1e-11);
    near(r.afterGradientStep.E, 0.356370590749, 1e-11);
    expect(r.afterGradientStep.E).toBeLessThan(r.E);
    expect(r.ruleWithoutDerivative.E).toBeLessThan(r.E);
  });
});

function expectEngineMatches(engine: Awaited<ReturnType<typeof neuronOnEngine>>) {
  const r = neuronLecture();
  // float32 parameters of size ~2 carry ~1.2e-7 relative rounding: 1e-6 is the bound
  near(engine.y, r.y, 1e-6);
  near(engine.E, r.E, 1e-6);
  for (const k of ['ruleWithoutDerivative', 'afterGradientStep'] as const) {
    near(engine[k].b, r[k].b, 1e-6);
    engine[k].w.forEach((w, i) => near(w, r[k].w[i], 1e-6));
    near(engine[k].E, r[k].E, 1e-6);
  }
}

describe('single neuron on the engine', () => {
  it('the CPU backend repeats both updates (loss perceptron = the rule without f′, halfSumSquared = the gradient)', async () => {
    expectEngineMatches(await neuronOnEngine('cpu'));
  });
  it('deltagpu neuron --format json has the issue fields', async () => {
    const lines: string[] = [];
    expect(await main(['neuron', '--backend', 'cpu', '--format', 'json'], (s) => lines.push(s))).toBe(0);
    const j = JSON.parse(lines[0]);
    for (const k of ['s', 'y', 'E', 'ruleWithoutDerivative', 'gradient', 'afterGradientStep']) expect(j).toHaveProperty(k);
    near(j.ruleWithoutDerivative.b, 1.821556479, 1e-9);
    expect(j.afterGradientStep.w).toHaveLength(2);
    expect(j.engine.backend).toBe('cpu');
  });
});

const ok = await haveGpu();
describe.skipIf(!ok)('single neuron on the GPU', () => {
  it('the webgpu backend gives the same two updates', async () => {
    const gpu = await createWebGpuBackend({ context: (await sharedGpu())!, matmul: testKernel((await sharedGpu())!) });
    try {
      expectEngineMatches(await neuronOnEngine(gpu));
    } finally {
      gpu.dispose();
    }
  });
});
