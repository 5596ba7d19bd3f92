/**
 * Two more pure-JavaScript peers for the training suite (bench/training.ts hands them a child process each):
 *
 *  - brain.js 1.6.1 (`NeuralNetwork`, CPU): 784-128-10 with its own per-pattern backpropagation. It has no
 *    softmax, no cross-entropy and no mini-batches: every layer takes the one activation (sigmoid here, its
 *    default; ReLU on the output layer would not learn one-hot targets), the loss is squared error, and the
 *    weights change after every pattern whatever the batch size. So it is measured once, as online SGD, and
 *    that figure is shown under each batch size with the note "online". lr 0.1, momentum 0.1 (its default;
 *    it refuses 0, and momentum costs the same per step).
 *  - ConvNetJS 0.3.0 (`Net` + `Trainer`, CPU): the same MLP as ours (fc 128 ReLU, softmax + cross-entropy),
 *    plain SGD lr 0.1, momentum 0, gradients averaged over `batch_size` patterns as ours are.
 *
 * Both take the same 8,000 embedded digits, shuffled every epoch (seeded), as float arrays.
 */
import { createRequire } from 'node:module';
import type { Dataset } from '../src/data/dataset.ts';
import { Random } from '../src/random.ts';
import type { BackendRun } from './peer-run.ts';
import { epochTimer } from './peer-run.ts';

export const JS_PEERS = ['brainjs', 'convnetjs'] as const;
export type JsPeer = (typeof JS_PEERS)[number];

const require = createRequire(import.meta.url);
const HIDDEN = 128;
const LEARNING_RATE = 0.1;

function version(pkg: string): string {
  return (require(`${pkg}/package.json`) as { version: string }).version;
}

/** Trains `epochs` epochs per batch size (brain.js: once, online) and records them in `out.runs`. */
export async function jsPeerChild(peer: JsPeer, data: Dataset, epochs: number, batches: number[], out: BackendRun): Promise<void> {
  const n = data.rows;
  const x = data.x.data;
  const rng = new Random(7);
  if (peer === 'brainjs') {
    const brain = require('brain.js') as { NeuralNetwork: new (o: object) => { train(d: object[], o: object): { error: number }; run(x: number[]): number[] } };
    out.device = `brain.js ${version('brain.js')} NeuralNetwork (CPU, pure JS; sigmoid everywhere, squared error, online: batch 1 whatever the column)`;
    const net = new brain.NeuralNetwork({ hiddenLayers: [HIDDEN], activation: 'sigmoid' });
    const rows = Array.from({ length: n }, (_, r) => ({ input: Array.from(x.subarray(r * 784, (r + 1) * 784)), output: Array.from(data.y.data.subarray(r * 10, (r + 1) * 10)) }));
    const t = epochTimer(epochs, n);
    for (let e = 0; e < epochs; e++) {
      const order = rng.permutation(n);
      const epoch = Array.from(order, (r) => rows[r]);
      t.hooks.begin();
      const s = net.train(epoch, { iterations: 1, learningRate: LEARNING_RATE, momentum: 0.1, errorThresh: 1e-9, log: false });
      // accuracy on (up to) 1,000 training digits after the epoch: brain.js reports only its error
      let correct = 0;
      const m = Math.min(n, 1000);
      for (let r = 0; r < m; r++) {
        const y = net.run(rows[r].input);
        if (y.indexOf(Math.max(...y)) === data.labels[r]) correct++;
      }
      t.hooks.end(s.error, correct / m);
    }
    const run = t.result(1);
    for (const b of batches) out.runs.push({ ...run, batchSize: b });
    process.stderr.write(`brainjs online: epochs ${run.epochSeconds.map((s) => s.toFixed(2)).join(', ')} s\n`);
    return;
  }
  const convnetjs = require('convnetjs') as {
    Net: new () => { makeLayers(d: object[]): void; getPrediction(): number };
    Trainer: new (net: object, o: object) => { train(x: object, y: number): { loss: number } };
    Vol: new (sx: number, sy: number, depth: number, c: number) => { w: Float64Array };
  };
  out.device = `ConvNetJS ${version('convnetjs')} (CPU, pure JS, Float64 weights)`;
  const vols = Array.from({ length: n }, (_, r) => {
    const v = new convnetjs.Vol(1, 1, 784, 0);
    for (let i = 0; i < 784; i++) v.w[i] = x[r * 784 + i];
    return v;
  });
  for (const batchSize of batches) {
    const net = new convnetjs.Net();
    net.makeLayers([
      { type: 'input', out_sx: 1, out_sy: 1, out_depth: 784 },
      { type: 'fc', num_neurons: HIDDEN, activation: 'relu' },
      { type: 'softmax', num_classes: 10 },
    ]);
    const trainer = new convnetjs.Trainer(net, { method: 'sgd', learning_rate: LEARNING_RATE, momentum: 0, batch_size: batchSize, l2_decay: 0 });
    const t = epochTimer(epochs, n);
    for (let e = 0; e < epochs; e++) {
      const order = rng.permutation(n);
      t.hooks.begin();
      let loss = 0;
      let correct = 0;
      for (const r of order) {
        loss += trainer.train(vols[r], data.labels[r]).loss;
        // the prediction of the forward pass the step just made, before its update (as ours and Keras report)
        if (net.getPrediction() === data.labels[r]) correct++;
      }
      t.hooks.end(loss / n, correct / n);
    }
    out.runs.push(t.result(batchSize));
    process.stderr.write(`convnetjs batch ${batchSize}: epochs ${out.runs.at(-1)!.epochSeconds.map((s) => s.toFixed(2)).join(', ')} s\n`);
  }
}

/** "ours ÷ peer" for every deltagpu backend against every peer, per batch size, from the same run. */
export function peerRatiosMarkdown(r: { batchSizes: number[]; runs: BackendRun[] }): string[] {
  const ok = (b: BackendRun) => !b.error && b.runs.length > 0;
  const ours = r.runs.filter((b) => ok(b) && (b.backend === 'cpu' || b.backend === 'webgpu'));
  const peers = r.runs.filter((b) => ok(b) && b.backend !== 'cpu' && b.backend !== 'webgpu');
  if (ours.length === 0 || peers.length === 0) return [];
  const sps = (b: BackendRun, bs: number) => b.runs.find((x) => x.batchSize === bs)?.samplesPerSecond;
  const lines = ['', 'Ours ÷ each peer (samples/s ratio, same run; brain.js is online SGD at every batch size):', ''];
  for (const o of ours) {
    const cells = peers.map((p) => `${p.backend} ${r.batchSizes.map((bs) => { const a = sps(o, bs); const b = sps(p, bs); return a && b ? `${(a / b).toFixed(2)}×` : '–'; }).join(' / ')}`);
    lines.push(`- ${o.backend} (batch ${r.batchSizes.join(' / ')}): ${cells.join('; ')}`);
  }
  return lines;
}
