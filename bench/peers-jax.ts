/**
 * The jax-js peer of the training benchmark (bench/training.ts runs it in its own child process, like the
 * TF.js peers): the same MLP 784-128-10 (ReLU, softmax + categorical cross-entropy), plain SGD lr 0.1, the
 * same digits, batch sizes, shuffling per epoch and epoch timing.
 *
 * How it trains, as jax-js's README advises: one `jit`-compiled train step (forward, `valueAndGrad`, SGD
 * update) per batch, parameters passed in and returned (jax-js arrays are reference counted: every call
 * consumes its arguments), the host waiting on the parameters every WAIT_EVERY steps so the queue of
 * dispatched steps stays short. Loss and correct-count sums stay on the device during an epoch and are read
 * once at its end (as deltagpu's fit reads its metrics once per epoch).
 *
 * Devices: `jax-wasm` (WebAssembly with SIMD; in Node one thread, since jax-js starts its worker pool only
 * where a global Worker exists), `jax-webgpu` (Dawn from the `webgpu` package, the same adapter as deltagpu
 * `webgpu`), `jax-cpu` (jax-js's interpreter, "only meant for debugging" in its README: ~10 samples/s, so it
 * is timed over a few steps only and reported as such, not trained to the accuracy check).
 */
import type { Dataset } from '../src/data/dataset.ts';
import { Random } from '../src/random.ts';
import type { BackendRun, BatchRun } from './peer-run.ts';

export const JAX_BACKENDS = ['jax-wasm', 'jax-webgpu', 'jax-cpu'] as const;
export type JaxBackend = (typeof JAX_BACKENDS)[number];

const WAIT_EVERY = 8;
/** steps timed on the `cpu` interpreter (after one warm-up step) */
const CPU_STEPS = 3;

type Jax = typeof import('@jax-js/jax');
type JArray = import('@jax-js/jax').Array;
type Params = { w1: JArray; b1: JArray; w2: JArray; b2: JArray };

/** Kept reachable for the process's life: if Dawn's instance is collected, its devices crash. */
let dawnInstance: unknown = null;

interface Timer {
  hooks: { begin(): void; end(loss: number, accuracy: number): void };
  result(batchSize: number): BatchRun;
}

export async function jaxChild(
  backend: JaxBackend,
  data: Dataset,
  epochs: number,
  batches: number[],
  out: BackendRun,
  epochTimer: (epochs: number, n: number) => Timer,
  hidden: number,
  learningRate: number,
): Promise<void> {
  const device = backend.slice('jax-'.length) as 'wasm' | 'webgpu' | 'cpu';
  if (device === 'webgpu') {
    await import('../src/backends/webgpu/device.ts').then((m) => m.useSwiftShaderIfPresent());
    const { create, globals } = (await import('webgpu')) as unknown as { create: (flags: string[]) => GPU; globals: object };
    for (const [k, v] of Object.entries(globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
    dawnInstance = create([]);
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawnInstance, userAgent: 'node' }, configurable: true, writable: true });
  }
  const jax: Jax = await import('@jax-js/jax');
  const { numpy: np, nn } = jax;
  const ready = await jax.init(device);
  if (!ready.includes(device)) throw new Error(`jax-js could not initialise its '${device}' device (got ${ready.join(', ') || 'none'})`);
  jax.defaultDevice(device);
  const { createRequire } = await import('node:module');
  const { readFileSync } = await import('node:fs');
  const entry = createRequire(import.meta.url).resolve('@jax-js/jax'); // …/dist/index.cjs
  const version = (JSON.parse(readFileSync(new URL('../package.json', `file://${entry}`), 'utf8')) as { version: string }).version;
  let adapter = '';
  if (device === 'webgpu') {
    const a = await (dawnInstance as GPU).requestAdapter();
    adapter = a ? ` on ${[a.info.vendor, a.info.architecture].filter(Boolean).join(' ')}${a.info.description ? ` (${a.info.description})` : ''}` : '';
  }
  out.device = `jax-js ${version} '${device}'${device === 'wasm' ? ' (SIMD, 1 thread in Node)' : ''}${device === 'cpu' ? ' (debugging interpreter)' : ''}${adapter}`;

  const n = data.x.rows;
  const inputs = data.x.cols;
  const classes = data.y.cols;
  for (const batchSize of batches) {
    // Glorot-uniform weights, zero biases (Keras's dense defaults, as the other peers start from).
    const rng = new Random(1);
    const glorot = (fanIn: number, fanOut: number) => {
      const lim = Math.sqrt(6 / (fanIn + fanOut));
      return np.array(Float32Array.from({ length: fanIn * fanOut }, () => rng.uniform(-lim, lim))).reshape([fanIn, fanOut]);
    };
    let p: Params = { w1: glorot(inputs, hidden), b1: np.zeros([hidden]), w2: glorot(hidden, classes), b2: np.zeros([classes]) };

    // loss = mean over the batch of −Σ d·log softmax(v); aux = the batch's right predictions.
    const loss = (q: Params, x: JArray, y: JArray): [JArray, JArray] => {
      const h = nn.relu(np.matmul(x, q.w1).add(q.b1));
      const logits = np.matmul(h, q.w2).add(q.b2);
      const correct = np.argmax(logits.ref, 1).equal(np.argmax(y.ref, 1)).astype(np.float32).sum();
      const l = nn.logSoftmax(logits, -1).mul(y).sum().neg().div(batchSize);
      return [l, correct];
    };
    const step = jax.jit((q: Params, x: JArray, y: JArray): [Params, JArray, JArray] => {
      const [[l, correct], g] = jax.valueAndGrad(loss, { hasAux: true })({ w1: q.w1.ref, b1: q.b1.ref, w2: q.w2.ref, b2: q.b2.ref }, x, y);
      const sgd = (w: JArray, gw: JArray) => w.sub(gw.mul(learningRate));
      return [{ w1: sgd(q.w1, g.w1), b1: sgd(q.b1, g.b1), w2: sgd(q.w2, g.w2), b2: sgd(q.b2, g.b2) }, l, correct];
    });

    const xb = new Float32Array(batchSize * inputs);
    const yb = new Float32Array(batchSize * classes);
    const shuffle = new Random(2);
    /** Runs `steps` steps (all of the epoch when undefined); returns the Σ loss and Σ correct, read once. */
    const epoch = async (steps?: number): Promise<{ lossSum: number; correct: number; count: number }> => {
      const order = shuffle.permutation(n);
      let lossSum = np.zeros([]);
      let correctSum = np.zeros([]);
      let count = 0;
      const total = steps ?? Math.floor(n / batchSize); // full batches only: one compiled shape
      for (let s = 0; s < total; s++) {
        for (let r = 0; r < batchSize; r++) {
          const pattern = order[s * batchSize + r];
          xb.set(data.x.data.subarray(pattern * inputs, (pattern + 1) * inputs), r * inputs);
          yb.set(data.y.data.subarray(pattern * classes, (pattern + 1) * classes), r * classes);
        }
        const [next, l, c] = step(p, np.array(xb).reshape([batchSize, inputs]), np.array(yb).reshape([batchSize, classes]));
        p = next;
        lossSum = lossSum.add(l.mul(batchSize));
        correctSum = correctSum.add(c);
        count += batchSize;
        if ((s + 1) % WAIT_EVERY === 0) await jax.blockUntilReady(p);
      }
      const [ls] = await lossSum.data();
      const [cs] = await correctSum.data();
      return { lossSum: ls, correct: cs, count };
    };

    if (device === 'cpu') {
      await epoch(1); // warm-up: tracing and compilation
      const t0 = performance.now();
      const m = await epoch(CPU_STEPS);
      const seconds = (performance.now() - t0) / 1000;
      const sps = m.count / seconds;
      out.runs.push({ batchSize, epochSeconds: [seconds], samplesPerSecond: sps, warmupSamplesPerSecond: NaN, finalLoss: m.lossSum / m.count, finalAccuracy: m.correct / m.count });
      process.stderr.write(`${backend} batch ${batchSize}: ${CPU_STEPS} steps in ${seconds.toFixed(2)} s (debugging interpreter: not trained to the accuracy check)\n`);
    } else {
      const t = epochTimer(epochs, Math.floor(n / batchSize) * batchSize);
      for (let e = 0; e < epochs; e++) {
        t.hooks.begin();
        const m = await epoch();
        t.hooks.end(m.lossSum / m.count, m.correct / m.count);
      }
      out.runs.push(t.result(batchSize));
      process.stderr.write(`${backend} batch ${batchSize}: epochs ${out.runs.at(-1)!.epochSeconds.map((s) => s.toFixed(2)).join(', ')} s\n`);
    }
    for (const a of Object.values(p)) a.dispose();
    step.dispose();
  }
}
