/**
 * What the page says about WebGPU before anything trains, and a backend wrapper that lets the page repaint
 * between training ticks (the CPU backend computes synchronously; without a yield the progress bar would
 * only move at the end of each epoch).
 */
import { createBackend } from '../../src/index.ts';
import type { Backend, TrainingSession } from '../../src/index.ts';

export interface AdapterLine {
  text: string;
  /** a WebGPU adapter exists (hardware or software) */
  gpu: boolean;
  fallback: boolean;
}

/** "WebGPU adapter: google swiftshader (…), software fallback", or "no WebGPU: CPU backend (why)". */
export async function describeAdapter(): Promise<AdapterLine> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) {
    const why = window.isSecureContext
      ? 'this browser has no navigator.gpu; try a current Chrome/Edge, or enable WebGPU'
      : 'WebGPU needs a secure context: open the page over https or from localhost';
    return { text: `no WebGPU: CPU backend (${why})`, gpu: false, fallback: false };
  }
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { text: `no WebGPU: CPU backend (requestAdapter failed: ${(e as Error).message})`, gpu: false, fallback: false };
  }
  if (!adapter) {
    return { text: 'no WebGPU: CPU backend (navigator.gpu offers no adapter; WebGPU may be disabled or blocked for this GPU)', gpu: false, fallback: false };
  }
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const fallback = Boolean(info.isFallbackAdapter ?? (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter);
  const name = [info.vendor, info.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
  const extra = [info.description, info.device].filter(Boolean).join(', ');
  const text =
    `WebGPU adapter: ${name}${extra ? ` (${extra})` : ''}` +
    (fallback ? ' — a software fallback: "auto" trains on the CPU (faster here); pick webgpu to force the GPU path' : '');
  return { text, gpu: true, fallback };
}

const yieldToBrowser = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * A session that yields to the browser before each tick of training, and first waits on `gate` (the
 * MNIST lab's pause: a promise that resolves on resume, or rejects to stop mid-epoch).
 */
function yieldingSession(s: TrainingSession, gate: () => Promise<void>): TrainingSession {
  return {
    upload: (x, y) => s.upload(x, y),
    async trainSteps(data, order, start, batchSize, steps) {
      await yieldToBrowser();
      await gate();
      return s.trainSteps(data, order, start, batchSize, steps);
    },
    async evaluate(data) {
      await yieldToBrowser();
      return s.evaluate(data);
    },
    predict: (data) => s.predict(data),
    getParams: () => s.getParams(),
    setParams: (p) => s.setParams(p),
    getState: () => s.getState(),
    setState: (state) => s.setState(state),
    rollback: () => s.rollback(),
    lastStep: () => s.lastStep(),
    dispose: () => s.dispose(),
  };
}

/** createBackend(choice) whose sessions yield to the browser (and wait on `gate`) before each tick of training. */
export async function createDemoBackend(choice: 'auto' | 'webgpu' | 'cpu', notice: (m: string) => void, gate: () => Promise<void> = async () => {}): Promise<Backend> {
  const b = await createBackend(choice, notice);
  return {
    name: b.name,
    description: b.description,
    isFallbackAdapter: b.isFallbackAdapter,
    compile: async (spec, params) => yieldingSession(await b.compile(spec, params), gate),
    deviceLost: () => b.deviceLost?.() ?? Promise.resolve(null),
    dispose: () => b.dispose(),
  };
}
