/**
 * The peers of the CNN suite (bench/cnn.ts runs each in its own child process): the Keras "Simple MNIST
 * convnet" (28×28×1 → conv32 3×3 ReLU → maxpool 2 → conv64 3×3 ReLU → maxpool 2 → flatten → dropout 0.5 →
 * dense 10 softmax; categorical cross-entropy, Adam lr 0.001) trained on the same digits, shuffled each epoch:
 *
 *  - TF.js 4.22 `tfjs-wasm` / `tfjs-webgpu`: tfjs-layers (conv2d, maxPooling2d, dropout) and model.fit, NHWC;
 *  - jax-js `jax-wasm` / `jax-webgpu`: lax.convGeneralDilated and lax.reduceWindow(max), one jit-compiled step
 *    (forward, valueAndGrad, Adam) per batch as bench/peers-jax.ts trains the MLP; the dropout mask is drawn on
 *    the host per step and passed in (jax-js's jit takes no key-splitting loop here);
 *  - ConvNetJS 0.3.0 `convnetjs`: its conv/pool/fc layers and Trainer (method 'adam'), per-pattern backprop
 *    with gradients averaged over batch_size.
 *
 * Every peer gets the timer from bench/cnn.ts (this module imports nothing back from the suites).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Dataset } from '../src/data/dataset.ts';
import { Random } from '../src/random.ts';

export const CNN_PEERS = ['tfjs-wasm', 'tfjs-webgpu', 'jax-wasm', 'jax-webgpu', 'convnetjs'] as const;
export type CnnPeer = (typeof CNN_PEERS)[number];

export const CNN_LEARNING_RATE = 0.001;

/** What a peer reports back: what it ran on, and per epoch its seconds, mean loss and accuracy. */
export interface EpochLog {
  begin(): void;
  end(loss: number, accuracy: number): void;
}

const require = createRequire(import.meta.url);

/** Kept reachable for the process's life: if Dawn's instance is collected, its devices crash. */
let dawnInstance: unknown = null;

async function installDawn(withUserAgent: boolean): Promise<void> {
  await import('../src/backends/webgpu/device.ts').then((m) => m.useSwiftShaderIfPresent());
  const { create, globals } = (await import('webgpu')) as unknown as { create: (flags: string[]) => GPU; globals: object };
  for (const [k, v] of Object.entries(globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  dawnInstance = create([]);
  Object.defineProperty(globalThis, 'navigator', { value: withUserAgent ? { gpu: dawnInstance, userAgent: 'node' } : { gpu: dawnInstance }, configurable: true, writable: true });
}

/** Trains `epochs` epochs of the convnet on `peer`; returns the device description. */
export async function cnnPeerChild(peer: CnnPeer, data: Dataset, epochs: number, batchSize: number, log: EpochLog): Promise<string> {
  if (peer === 'convnetjs') return convnetjsCnn(data, epochs, batchSize, log);
  if (peer.startsWith('jax-')) return jaxCnn(peer.slice(4) as 'wasm' | 'webgpu', data, epochs, batchSize, log);
  return tfjsCnn(peer.slice(5) as 'wasm' | 'webgpu', data, epochs, batchSize, log);
}

async function tfjsCnn(name: 'wasm' | 'webgpu', data: Dataset, epochs: number, batchSize: number, log: EpochLog): Promise<string> {
  if (name === 'webgpu') await installDawn(false);
  const tf = await import('@tensorflow/tfjs-core');
  const tfl = await import('@tensorflow/tfjs-layers');
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + '/');
  } else await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend(name))) throw new Error(`TF.js could not initialise its '${name}' backend`);
  await tf.ready();
  if (tf.getBackend() !== name) throw new Error(`TF.js runs on '${tf.getBackend()}', not '${name}'`);
  const n = data.x.rows;
  const xs = tf.tensor4d(data.x.data, [n, 28, 28, 1]);
  const ys = tf.tensor2d(data.y.data, [n, 10]);
  const L = tfl.layers;
  const model = tfl.sequential({
    layers: [
      L.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
      L.maxPooling2d({ poolSize: 2 }),
      L.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      L.maxPooling2d({ poolSize: 2 }),
      L.flatten(),
      L.dropout({ rate: 0.5 }),
      L.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(CNN_LEARNING_RATE), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(xs, ys, {
    epochs,
    batchSize,
    shuffle: true,
    verbose: 0,
    callbacks: { onEpochBegin: async () => log.begin(), onEpochEnd: async (_e, logs) => log.end(Number(logs?.loss), Number(logs?.acc ?? logs?.accuracy)) },
  });
  model.dispose();
  xs.dispose();
  ys.dispose();
  const flags = name === 'wasm' ? `, SIMD ${String(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))}, threads ${String(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'))}` : '';
  return `TF.js ${tf.version_core} '${name}'${flags} (tfjs-layers conv2d, NHWC)`;
}

async function jaxCnn(device: 'wasm' | 'webgpu', data: Dataset, epochs: number, batchSize: number, log: EpochLog): Promise<string> {
  if (device === 'webgpu') await installDawn(true);
  const jax = await import('@jax-js/jax');
  const { numpy: np, nn, lax } = jax;
  const ready = await jax.init(device);
  if (!ready.includes(device)) throw new Error(`jax-js could not initialise its '${device}' device (got ${ready.join(', ') || 'none'})`);
  jax.defaultDevice(device);
  type A = import('@jax-js/jax').Array;
  type P = { c1: A; b1: A; c2: A; b2: A; w: A; b: A };
  const rng = new Random(1);
  // Glorot-uniform as Keras initialises conv and dense kernels (fans: C·kh·kw and F·kh·kw), zero biases
  const glorot = (shape: number[], fanIn: number, fanOut: number) => {
    const lim = Math.sqrt(6 / (fanIn + fanOut));
    return np.array(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-lim, lim))).reshape(shape);
  };
  let p: P = { c1: glorot([32, 1, 3, 3], 9, 288), b1: np.zeros([32]), c2: glorot([64, 32, 3, 3], 288, 576), b2: np.zeros([64]), w: glorot([1600, 10], 1600, 10), b: np.zeros([10]) };
  const zeros = (): P => ({ c1: np.zeros([32, 1, 3, 3]), b1: np.zeros([32]), c2: np.zeros([64, 32, 3, 3]), b2: np.zeros([64]), w: np.zeros([1600, 10]), b: np.zeros([10]) });
  // Adam's moments
  let m = zeros();
  let v = zeros();
  const pool = (x: A) => lax.reduceWindow(x, (w: A) => np.max(w), [2, 2], [2, 2]);
  const loss = (q: P, x: A, y: A, mask: A): [A, A] => {
    let h = nn.relu(lax.convGeneralDilated(x, q.c1, [1, 1], 'VALID').add(q.b1.reshape([1, 32, 1, 1])));
    h = pool(h);
    h = nn.relu(lax.convGeneralDilated(h, q.c2, [1, 1], 'VALID').add(q.b2.reshape([1, 64, 1, 1])));
    h = pool(h).reshape([batchSize, 1600]).mul(mask);
    const logits = np.matmul(h, q.w).add(q.b);
    const correct = np.argmax(logits.ref, 1).equal(np.argmax(y.ref, 1)).astype(np.float32).sum();
    return [nn.logSoftmax(logits, -1).mul(y).sum().neg().div(batchSize), correct];
  };
  const keys = ['c1', 'b1', 'c2', 'b2', 'w', 'b'] as const;
  const step = jax.jit((q: P, mq: P, vq: P, t: A, x: A, y: A, mask: A): [P, P, P, A, A] => {
    const copy = (o: P) => Object.fromEntries(keys.map((k) => [k, o[k].ref])) as P;
    const [[l, correct], g] = jax.valueAndGrad(loss, { hasAux: true })(copy(q), x, y, mask);
    const c1 = np.ones([]).sub(np.power(np.full([], 0.9), t.ref));
    const c2 = np.ones([]).sub(np.power(np.full([], 0.999), t));
    const next = {} as P;
    const nm = {} as P;
    const nv = {} as P;
    for (const k of keys) {
      nm[k] = mq[k].mul(0.9).add(g[k].ref.mul(0.1));
      nv[k] = vq[k].mul(0.999).add(g[k].ref.mul(g[k]).mul(0.001));
      next[k] = q[k].sub(nm[k].ref.div(c1.ref).mul(CNN_LEARNING_RATE).div(np.sqrt(nv[k].ref.div(c2.ref)).add(1e-7)));
    }
    c1.dispose();
    c2.dispose();
    return [next, nm, nv, l, correct];
  });
  const n = data.x.rows;
  const steps = Math.floor(n / batchSize); // full batches only: one compiled shape
  const xb = new Float32Array(batchSize * 784);
  const yb = new Float32Array(batchSize * 10);
  const maskb = new Float32Array(batchSize * 1600);
  const shuffle = new Random(2);
  let t = 0;
  for (let e = 0; e < epochs; e++) {
    log.begin();
    const order = shuffle.permutation(n);
    let lossSum = np.zeros([]);
    let correctSum = np.zeros([]);
    for (let s = 0; s < steps; s++) {
      for (let r = 0; r < batchSize; r++) {
        const q = order[s * batchSize + r];
        xb.set(data.x.data.subarray(q * 784, (q + 1) * 784), r * 784);
        yb.set(data.y.data.subarray(q * 10, (q + 1) * 10), r * 10);
      }
      for (let k = 0; k < maskb.length; k++) maskb[k] = rng.next() < 0.5 ? 0 : 2;
      t++;
      const [np_, nm, nv, l, c] = step(p, m, v, np.full([], t), np.array(xb).reshape([batchSize, 1, 28, 28]), np.array(yb).reshape([batchSize, 10]), np.array(maskb).reshape([batchSize, 1600]));
      [p, m, v] = [np_, nm, nv];
      lossSum = lossSum.add(l.mul(batchSize));
      correctSum = correctSum.add(c);
      if ((s + 1) % 4 === 0) await jax.blockUntilReady(p);
    }
    const [ls] = await lossSum.data();
    const [cs] = await correctSum.data();
    log.end(ls / (steps * batchSize), cs / (steps * batchSize));
  }
  for (const o of [p, m, v]) for (const k of keys) o[k].dispose();
  step.dispose();
  // the package's exports hide package.json: read it beside the resolved entry (…/dist/index.cjs)
  const { readFileSync } = await import('node:fs');
  const version = (JSON.parse(readFileSync(new URL('../package.json', `file://${require.resolve('@jax-js/jax')}`), 'utf8')) as { version: string }).version;
  return `jax-js ${version} '${device}'${device === 'wasm' ? ' (SIMD, 1 thread in Node)' : ''} (lax.convGeneralDilated, NCHW; host-drawn dropout mask)`;
}

async function convnetjsCnn(data: Dataset, epochs: number, batchSize: number, log: EpochLog): Promise<string> {
  const convnetjs = require('convnetjs') as {
    Net: new () => { makeLayers(d: object[]): void; getPrediction(): number };
    Trainer: new (net: object, o: object) => { train(x: object, y: number): { loss: number } };
    Vol: new (sx: number, sy: number, depth: number, c: number) => { w: Float64Array };
  };
  const n = data.rows;
  // a Vol is [sx, sy, depth] with w[((sx·y) + x)·depth + d]: depth 1, so the row's pixels as they are
  const vols = Array.from({ length: n }, (_, r) => {
    const vol = new convnetjs.Vol(28, 28, 1, 0);
    for (let i = 0; i < 784; i++) vol.w[i] = data.x.data[r * 784 + i];
    return vol;
  });
  const net = new convnetjs.Net();
  net.makeLayers([
    { type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 },
    { type: 'conv', sx: 3, filters: 32, stride: 1, pad: 0, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'conv', sx: 3, filters: 64, stride: 1, pad: 0, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'fc', num_neurons: 10, drop_prob: 0.5 },
    { type: 'softmax', num_classes: 10 },
  ]);
  const trainer = new convnetjs.Trainer(net, { method: 'adam', learning_rate: CNN_LEARNING_RATE, beta1: 0.9, beta2: 0.999, eps: 1e-7, batch_size: batchSize, l2_decay: 0 });
  const rng = new Random(7);
  for (let e = 0; e < epochs; e++) {
    const order = rng.permutation(n);
    log.begin();
    let loss = 0;
    let correct = 0;
    for (const r of order) {
      loss += trainer.train(vols[r], data.labels[r]).loss;
      if (net.getPrediction() === data.labels[r]) correct++;
    }
    log.end(loss / n, correct / n);
  }
  const version = (require('convnetjs/package.json') as { version: string }).version;
  return `ConvNetJS ${version} (CPU, pure JS, Float64; its fc layer's drop_prob stands in for the dropout layer)`;
}
