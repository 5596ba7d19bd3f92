// End to end on the WebGPU backend: the lecture's XOR trace through the CLI, and a shortened MNIST run.
// Runs on SwiftShader where there is no GPU (see test/helpers/gpu.ts: fails in CI without an adapter).
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveGpu, sharedGpu, testKernel } from './helpers/gpu.ts';
import { main } from '../src/cli/main.ts';
import { loadModel } from '../src/io/model-file.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { createBackend } from '../src/backends/select.ts';
import { createWebGpuBackend } from '../src/backends/webgpu/index.ts';

const gpu = await haveGpu();

async function cli(args: string[]) {
  const lines: string[] = [];
  const code = await main(args, (s) => lines.push(s));
  return { code, lines };
}

describe.skipIf(!gpu)('WebGPU end to end', () => {
  it('`deltagpu xor --trace --format json --backend webgpu` prints the same trace as the CPU', async () => {
    const g = await cli(['xor', '--trace', '--format', 'json', '--epochs', '3', '--backend', 'webgpu']);
    const c = await cli(['xor', '--trace', '--format', 'json', '--epochs', '3', '--backend', 'cpu']);
    expect(g.code).toBe(0);
    const [gpuRows, cpuRows] = [JSON.parse(g.lines[0]), JSON.parse(c.lines[0])];
    expect(gpuRows).toHaveLength(12);
    // sums of 2 terms in float32 on both sides: any difference is a few ulps of values below 1
    const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : typeof v === 'number' ? [v] : []);
    gpuRows.forEach((row: Record<string, unknown>, k: number) => {
      const a = flat(Object.values(row));
      const b = flat(Object.values(cpuRows[k]));
      expect(a).toHaveLength(b.length);
      a.forEach((v, i) => expect(Math.abs(v - b[i]), `pattern ${k + 1}, value ${i}`).toBeLessThan(1e-6));
    });
  });

  it('trains MNIST (2,000 digits, 2 epochs) to ≥ 85% test accuracy, and the saved model predicts the same on the CPU', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deltagpu-gpu-e2e-'));
    const modelPath = join(dir, 'gpu.safetensors');
    // the kernel pinned (not the timing race's pick), so a failure reproduces; webgpu-tuner tests the tuned path
    const kernel = testKernel((await sharedGpu())!);
    const r = await cli(['train', 'mnist', '--data', 'embedded', '--backend', 'webgpu', '--matmul', kernel, '--epochs', '2', '--train', '2000', '--test', '500', '--quiet', '--json', '--out', modelPath]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.lines.at(-1)!);
    expect(s.backend).toBe('webgpu');
    expect(s.adapter).toMatch(/\w/);
    // CPU and GPU both measure 90.8% on this slice after 2 epochs (seed 1); a broken GPU step would sit near 10%
    expect(s.testAccuracy).toBeGreaterThanOrEqual(0.85);
    const { test } = loadMnist({ seed: 1, train: 2000, test: 500 });
    const onGpu = await loadModel(modelPath, { backend: 'webgpu' });
    const onCpu = await loadModel(modelPath, { backend: 'cpu' });
    const [a, b] = [await onGpu.model.predict(test.x), await onCpu.model.predict(test.x)];
    // softmax outputs after a 784-term and a 128-term float32 sum: agree to ~1e-5
    let worst = 0;
    for (let k = 0; k < a.data.length; k++) worst = Math.max(worst, Math.abs(a.data[k] - b.data[k]));
    expect(worst).toBeLessThan(1e-4);
    await onGpu.model.dispose();
    await onCpu.model.dispose();
  });

  it("backend 'auto' takes the CPU over a software adapter and says why; 'webgpu' forces the GPU", async () => {
    const gpuBackend = await createWebGpuBackend();
    const notices: string[] = [];
    const auto = await createBackend('auto', (m) => notices.push(m));
    if (gpuBackend.isFallbackAdapter) {
      expect(auto.name).toBe('cpu');
      expect(notices.join()).toMatch(/software WebGPU adapter .* slower than the CPU backend, so training on the CPU/);
    } else {
      expect(auto.name).toBe('webgpu');
      expect(notices).toEqual([]);
    }
    expect(gpuBackend.name).toBe('webgpu');
    expect(gpuBackend.description).toMatch(/\w/);
    auto.dispose();
    gpuBackend.dispose();
  });

  it('`deltagpu info --json` reports the adapter, its limits and what auto picks', async () => {
    const r = await cli(['info', '--json']);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.lines[0]);
    expect(info.webgpu.vendor + info.webgpu.architecture).toMatch(/\w/);
    expect(info.webgpu.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024);
    expect(info.auto.backend).toBe(info.webgpu.isFallback ? 'cpu' : 'webgpu');
  });
});
