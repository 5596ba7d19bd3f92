/**
 * `deltagpu info`: what this machine offers. The WebGPU adapter (vendor, architecture, description,
 * whether it is a software fallback), the device limits that bound model and data size, the matmul
 * kernels the tuner chose on this adapter (per product shape, with each candidate's time; `--tune` tunes
 * the default MNIST network 784-128-10 at batch 64 and 256 first), and the backend `--backend auto` would
 * choose here, with its reason.
 */
import { parseArgs } from 'node:util';
import { createBackend } from '../backends/select.ts';
import { createCpuBackend } from '../backends/cpu/backend.ts';
import type { WebGpuBackend } from '../backends/webgpu/index.ts';

export async function infoCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false }, tune: { type: 'boolean', default: false } } });
  const { createWebGpuBackend } = await import('../backends/webgpu/index.ts');
  let gpu: WebGpuBackend | null = null;
  let gpuError = '';
  try {
    gpu = await createWebGpuBackend();
  } catch (e) {
    gpuError = (e as Error).message;
  }
  if (gpu?.tuner && values.tune) {
    const { makeSpec } = await import('../verify/networks.ts');
    const spec = makeSpec({ sizes: [784, 128, 10], hidden: 'relu', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'sgd', learningRate: 0.1 } });
    for (const rows of [64, 256]) await gpu.tuner.chooseStep(spec, rows, true, 'regblock');
  }
  const tuning = gpu ? await gpu.tuning() : [];
  const notices: string[] = [];
  const auto = await createBackend('auto', (m) => notices.push(m));
  const cpu = createCpuBackend();
  const report = {
    node: process.version,
    cpu: { kernels: cpu.kernels, threads: cpu.threads, description: cpu.description, ...(cpu.fallbackReason ? { fallbackReason: cpu.fallbackReason } : {}) },
    webgpu: gpu ? { ...gpu.adapter, matmulKernel: gpu.matmulKernel, tuning, limits: gpu.limits } : null,
    webgpuError: gpu ? undefined : gpuError,
    auto: { backend: auto.name, description: auto.description, reason: notices[0] ?? 'a hardware GPU adapter' },
  };
  auto.dispose();
  gpu?.dispose();
  if (values.json) {
    out(JSON.stringify(report));
    return 0;
  }
  out(`node ${report.node}`);
  if (gpu) {
    const a = gpu.adapter;
    out(`WebGPU adapter: ${a.vendor || '?'} ${a.architecture || ''}${a.description ? ` — ${a.description}` : ''}${a.isFallback ? ' (software fallback)' : ''}`);
    out(`  matmul kernel: ${gpu.matmulKernel}${gpu.tuner ? ` (candidates here: ${gpu.tuner.candidates.join(', ')})` : ''}`);
    if (tuning.length === 0) out('  tuned choices: none cached yet (the first training step tunes; deltagpu info --tune tunes 784-128-10)');
    for (const e of tuning) {
      const times = Object.entries(e.ms).map(([k, ms]) => `${k} ${ms!.toFixed(3)}`).join(', ');
      out(`  tuned ${e.shape.padEnd(18)} → ${e.kernel.padEnd(9)} (ms per product: ${times}; ${e.timing})`);
    }
    for (const [k, v] of Object.entries(gpu.limits)) out(`  ${k.padEnd(36)} ${v >= 1 << 20 ? `${(v / (1 << 20)).toFixed(0)} MiB` : v}`);
  } else {
    out(`WebGPU: none (${gpuError})`);
  }
  const kernelNames = { wasm: 'WebAssembly SIMD', fast: 'TypeScript (dense-fast.ts)', reference: 'reference loops (dense.ts)' };
  out(`CPU kernels: ${kernelNames[cpu.kernels]}, ${cpu.threads} thread${cpu.threads === 1 ? '' : 's'}${cpu.fallbackReason ? ` (${cpu.fallbackReason})` : ''}`);
  out(`--backend auto → ${auto.name}: ${report.auto.reason}`);
  return 0;
}
