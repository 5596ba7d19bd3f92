/**
 * Soak suite (issue 10): does a long run or many short ones leak? On each deltagpu backend:
 *
 *   long   one small model (64-32-10, ReLU, softmax + cross-entropy, adam, batch 32, 512 patterns)
 *          trained 200 epochs in one fit; measured after epoch 1 (pipelines and buffers exist) and at the end
 *   cycles 20 × (fit 1 epoch, dispose) on one model; each fit makes a new backend (a new device on the GPU),
 *          and on the GPU the same again on one backend the caller owns (one device for all cycles)
 *
 * It reports live GPU buffers and their bytes (bufferStats: every buffer goes through GpuMemory) and the
 * process RSS after a full garbage collection, at start and end. Flat is the goal.
 */
import { adam, createBackend, dense, sequential } from '../src/index.ts';
import { bufferStats } from '../src/backends/webgpu/memory.ts';
import { Random } from '../src/random.ts';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// a full garbage collection before each reading, so RSS shows what is still reachable, not V8's timing
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export interface SoakPoint {
  buffers: number;
  gpuBytes: number;
  rssMiB: number;
}

export interface SoakRun {
  backend: 'cpu' | 'webgpu';
  phase: 'long' | 'cycles';
  what: string;
  start: SoakPoint;
  end: SoakPoint;
  seconds: number;
  error?: string;
}

const point = (): SoakPoint => (gc(), { buffers: bufferStats.live, gpuBytes: bufferStats.liveBytes, rssMiB: Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10 });

function data(rows: number) {
  const rng = new Random(7);
  const x = Array.from({ length: rows }, () => Array.from({ length: 64 }, () => rng.uniform(-1, 1)));
  const y = x.map((r) => {
    const c = Math.floor(((r[0] + 1) / 2) * 10) % 10;
    return Array.from({ length: 10 }, (_, k) => (k === c ? 1 : 0));
  });
  return { x, y };
}

const model = () => sequential([dense(64, 32, { activation: 'relu' }), dense(32, 10, { activation: 'softmax' })], { seed: 1 });

export async function runSoakBench(options: { backends: ('cpu' | 'webgpu')[]; quick?: boolean; log?: (s: string) => void }): Promise<SoakRun[]> {
  const log = options.log ?? ((s: string) => console.error(s));
  const epochs = options.quick ? 50 : 200;
  const cycles = options.quick ? 5 : 20;
  const { x, y } = data(512);
  const runs: SoakRun[] = [];
  for (const backend of options.backends) {
    // long: one fit of many epochs; "start" is after the first epoch, when everything is allocated
    let t0 = performance.now();
    let start: SoakPoint | null = null;
    let end: SoakPoint | null = null;
    const m = model();
    try {
      m.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.002), backend, onNotice: () => {} });
      const at = (e: number) => {
        if (e === 1) start = point();
        if (e === epochs) end = point();
      };
      await m.fit(x, y, { epochs, batchSize: 32, callbacks: { onEpochEnd: at } });
      runs.push({ backend, phase: 'long', what: `${epochs} epochs in one fit`, start: start!, end: end!, seconds: (performance.now() - t0) / 1000 });
    } catch (e) {
      runs.push({ backend, phase: 'long', what: `${epochs} epochs in one fit`, start: start ?? point(), end: point(), seconds: (performance.now() - t0) / 1000, error: (e as Error).message });
    } finally {
      await m.dispose();
    }
    log(`soak ${backend}: long run done`);
    // cycles: fit + dispose; "start" after the first cycle
    t0 = performance.now();
    const c = model();
    start = null;
    try {
      c.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.002), backend, onNotice: () => {} });
      for (let k = 0; k < cycles; k++) {
        await c.fit(x, y, { epochs: 1, batchSize: 32 });
        await c.dispose();
        if (k === 0) start = point();
        if (k === 1 || k === cycles - 1) log(`soak ${backend}: after cycle ${k + 1}: ${JSON.stringify(point())}`);
      }
      runs.push({ backend, phase: 'cycles', what: `${cycles} × (fit 1 epoch, dispose)`, start: start!, end: point(), seconds: (performance.now() - t0) / 1000 });
    } catch (e) {
      runs.push({ backend, phase: 'cycles', what: `${cycles} × (fit 1 epoch, dispose)`, start: start ?? point(), end: point(), seconds: (performance.now() - t0) / 1000, error: (e as Error).message });
    }
    log(`soak ${backend}: cycles done`);
    if (backend !== 'webgpu') continue;
    // the same cycles on one backend the caller owns (one device): separates device creation from the engine
    t0 = performance.now();
    start = null;
    const shared = await createBackend('webgpu', () => {});
    const s = model();
    try {
      s.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.002), backend: shared });
      for (let k = 0; k < cycles; k++) {
        await s.fit(x, y, { epochs: 1, batchSize: 32 });
        await s.dispose();
        if (k === 0) start = point();
      }
      runs.push({ backend, phase: 'cycles', what: `${cycles} × (fit 1 epoch, dispose) on one shared backend`, start: start!, end: point(), seconds: (performance.now() - t0) / 1000 });
    } catch (e) {
      runs.push({ backend, phase: 'cycles', what: `${cycles} × (fit, dispose) on one shared backend`, start: start ?? point(), end: point(), seconds: (performance.now() - t0) / 1000, error: (e as Error).message });
    } finally {
      shared.dispose();
    }
  }
  return runs;
}

export function soakMarkdown(runs: SoakRun[]): string {
  const mib = (b: number) => (b / 2 ** 20).toFixed(2);
  return [
    '| backend | run | GPU buffers start → end | GPU MiB start → end | RSS MiB start → end | seconds |',
    '|---|---|---|---|---|---|',
    ...runs.map(
      (r) =>
        `| ${r.backend} | ${r.what}${r.error ? ` (**failed**: ${r.error})` : ''} | ${r.start.buffers} → ${r.end.buffers} | ${mib(r.start.gpuBytes)} → ${mib(r.end.gpuBytes)} | ${r.start.rssMiB} → ${r.end.rssMiB} | ${r.seconds.toFixed(1)} |`,
    ),
  ].join('\n');
}
