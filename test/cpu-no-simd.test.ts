/**
 * The CPU backend where WebAssembly SIMD does not run (an old engine): wasmSimdAvailable() is mocked to say
 * so, and the default backend must fall back to the TypeScript 'fast' kernels, say why, and train to the same
 * numbers as the reference; asking for 'wasm' explicitly must fail by name instead.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('../src/backends/cpu/wasm/memory.ts', async (original) => ({
  ...(await original<typeof import('../src/backends/cpu/wasm/memory.ts')>()),
  wasmSimdAvailable: () => false,
}));

const { createCpuBackend } = await import('../src/backends/cpu/backend.ts');
const { dense, sequential, sgd } = await import('../src/index.ts');
const { Random } = await import('../src/random.ts');

describe('CPU backend without WebAssembly SIMD', () => {
  it("falls back to the 'fast' TypeScript kernels and says why", () => {
    const b = createCpuBackend();
    expect(b.kernels).toBe('fast');
    expect(b.threads).toBe(1);
    expect(b.fallbackReason).toBe('no WebAssembly SIMD here: fast TypeScript kernels');
    expect(b.description).not.toMatch(/WebAssembly/);
  });

  it("refuses kernels: 'wasm' by name", () => {
    expect(() => createCpuBackend({ kernels: 'wasm' })).toThrow("createCpuBackend: kernels 'wasm' need WebAssembly with 128-bit SIMD, which this engine does not run");
  });

  it('trains to the reference kernels’ weights (summation order aside)', async () => {
    const rng = new Random(4);
    const x = Array.from({ length: 64 }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)]);
    const y = x.map(([a, b, c]) => [a * b > 0 ? 1 : 0, c > 0 ? 1 : 0]);
    const run = async (kernels: 'fast' | 'reference' | undefined) => {
      const m = sequential([dense(3, 8, { activation: 'tanh' }), dense(8, 2, { activation: 'sigmoid' })], { seed: 3 });
      m.compile({ loss: 'binaryCrossentropy', optimizer: sgd(0.1), backend: createCpuBackend(kernels ? { kernels } : {}) });
      await m.fit(x, y, { epochs: 3, batchSize: 8 });
      const w = await m.getWeights();
      await m.dispose();
      return w.flatMap((p) => [...p.W, ...p.b]);
    };
    const fallback = await run(undefined);
    const reference = await run('reference');
    expect(fallback).toHaveLength(reference.length);
    fallback.forEach((w, k) => expect(Math.abs(w - reference[k])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(reference[k]))));
  });
});
