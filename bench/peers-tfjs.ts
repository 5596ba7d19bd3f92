/**
 * The TF.js 4.22 peers of the training suite (bench/training.ts hands each a child process): `tfjs-cpu`
 * (pure JS), `tfjs-wasm` (SIMD) and `tfjs-webgpu` (on the same Dawn adapter as deltagpu), training the same
 * MLP 784-128-10 (ReLU, softmax + categorical cross-entropy) with plain SGD lr 0.1 through tfjs-layers'
 * model.fit, shuffled each epoch. Live GPU bytes are counted as for deltagpu, at createBuffer/destroy.
 */
import { dirname } from 'node:path';
import type { Dataset } from '../src/data/dataset.ts';
import type { BackendRun } from './peer-run.ts';
import { countGpuBytes, epochTimer } from './peer-run.ts';

const HIDDEN = 128;
const LEARNING_RATE = 0.1;

/** Kept reachable for the process's life: if Dawn's instance is collected, its devices crash. */
let dawnInstance: unknown = null;

export async function tfjsChild(backend: 'tfjs-cpu' | 'tfjs-wasm' | 'tfjs-webgpu', data: Dataset, epochs: number, batches: number[], out: BackendRun): Promise<void> {
  if (backend === 'tfjs-webgpu') {
    await import('../src/backends/webgpu/device.ts').then((m) => m.useSwiftShaderIfPresent());
    const { create, globals } = (await import('webgpu')) as unknown as { create: (flags: string[]) => GPU; globals: object };
    for (const [k, v] of Object.entries(globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
    dawnInstance = create([]);
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawnInstance }, configurable: true, writable: true });
  }
  const tf = await import('@tensorflow/tfjs-core');
  const tfl = await import('@tensorflow/tfjs-layers');
  const name = backend.slice('tfjs-'.length);
  if (backend === 'tfjs-cpu') await import('@tensorflow/tfjs-backend-cpu');
  if (backend === 'tfjs-wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const { createRequire } = await import('node:module');
    const dist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
    wasm.setWasmPaths(dist + '/');
  }
  if (backend === 'tfjs-webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend(name))) throw new Error(`TF.js could not initialise its '${name}' backend`);
  await tf.ready();
  if (tf.getBackend() !== name) throw new Error(`TF.js runs on '${tf.getBackend()}', not '${name}'`);
  const env = tf.env();
  const flags =
    backend === 'tfjs-wasm'
      ? `, SIMD ${String(await env.getAsync('WASM_HAS_SIMD_SUPPORT'))}, threads ${String(await env.getAsync('WASM_HAS_MULTITHREAD_SUPPORT'))}`
      : '';
  let adapter = '';
  if (backend === 'tfjs-webgpu') {
    const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
    const a = await (dawnInstance as GPU).requestAdapter();
    const i = a?.info;
    adapter = ` on ${[i?.vendor ?? info?.vendor, i?.architecture ?? info?.architecture].filter(Boolean).join(' ')}${i?.description ? ` (${i.description})` : ''}`;
  }
  out.device = `TF.js ${tf.version_core} '${name}'${flags}${adapter}`;

  // count live GPU bytes the same way as for deltagpu: at the device's createBuffer/destroy
  const gpuStats = backend === 'tfjs-webgpu' ? countGpuBytes((tf.backend() as unknown as { device: GPUDevice }).device) : null;
  const n = data.x.rows;
  const xs = tf.tensor2d(data.x.data, [n, 784]);
  const ys = tf.tensor2d(data.y.data, [n, 10]);
  for (const batchSize of batches) {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [784], units: HIDDEN, activation: 'relu' }), tfl.layers.dense({ units: 10, activation: 'softmax' })],
    });
    model.compile({ optimizer: tf.train.sgd(LEARNING_RATE), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const t = epochTimer(epochs, n);
    await model.fit(xs, ys, {
      epochs,
      batchSize,
      shuffle: true,
      verbose: 0,
      callbacks: {
        onEpochBegin: async () => t.hooks.begin(),
        onEpochEnd: async (_e, logs) => {
          t.hooks.end(Number(logs?.loss), Number(logs?.acc ?? logs?.accuracy));
        },
      },
    });
    model.dispose();
    out.runs.push(t.result(batchSize));
    process.stderr.write(`${backend} batch ${batchSize}: epochs ${out.runs.at(-1)!.epochSeconds.map((s) => s.toFixed(2)).join(', ')} s\n`);
  }
  if (gpuStats) {
    const m = tf.memory() as { numBytesAllocatedInGPU?: number };
    out.gpuBytesPeak = gpuStats.peak;
    out.gpuBytesNote = `createBuffer sizes live at once; TF.js pools buffers (tf.memory() at the end: ${((m.numBytesAllocatedInGPU ?? NaN) / 2 ** 20).toFixed(1)} MiB allocated)`;
  }
  xs.dispose();
  ys.dispose();
}
