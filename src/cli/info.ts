/**
 * `deltagpu info`: what this machine offers. The WebGPU adapter (vendor, architecture, description,
 * whether it is a software fallback), the device limits that bound model and data size, and the backend
 * `--backend auto` would choose here, with its reason.
 */
import { parseArgs } from 'node:util';
import { createBackend } from '../backends/select.ts';
import { createCpuBackend } from '../backends/cpu/backend.ts';
import type { WebGpuBackend } from '../backends/webgpu/index.ts';

export async function infoCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
  const { createWebGpuBackend } = await import('../backends/webgpu/index.ts');
  let gpu: WebGpuBackend | null = null;
  let gpuError = '';
  try {
    gpu = await createWebGpuBackend();
  } catch (e) {
    gpuError = (e as Error).message;
  }
  const notices: string[] = [];
  const auto = await createBackend('auto', (m) => notices.push(m));
  const cpu = createCpuBackend();
  const report = {
    node: process.version,
    cpu: { kernels: cpu.kernels, threads: cpu.threads, description: cpu.description, ...(cpu.fallbackReason ? { fallbackReason: cpu.fallbackReason } : {}) },
    webgpu: gpu ? { ...gpu.adapter, matmulKernel: gpu.matmulKernel, limits: gpu.limits } : null,
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
    out(`  matmul kernel: ${gpu.matmulKernel}`);
    for (const [k, v] of Object.entries(gpu.limits)) out(`  ${k.padEnd(36)} ${v >= 1 << 20 ? `${(v / (1 << 20)).toFixed(0)} MiB` : v}`);
  } else {
    out(`WebGPU: none (${gpuError})`);
  }
  const kernelNames = { wasm: 'WebAssembly SIMD', fast: 'TypeScript (dense-fast.ts)', reference: 'reference loops (dense.ts)' };
  out(`CPU kernels: ${kernelNames[cpu.kernels]}, ${cpu.threads} thread${cpu.threads === 1 ? '' : 's'}${cpu.fallbackReason ? ` (${cpu.fallbackReason})` : ''}`);
  out(`--backend auto → ${auto.name}: ${report.auto.reason}`);
  return 0;
}
