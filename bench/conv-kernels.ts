/**
 * im2col + GEMM against direct convolution, on the Keras convnet's two conv layers (bench/cnn.ts trains the
 * whole net): the WebAssembly kernels of src/backends/cpu/wasm/conv2d-simd.as.ts on one thread, each timed as
 * the least of several interleaved rounds (this machine is shared: the least is the least disturbed run).
 *
 *   node bin/run-ts.js bench/conv-kernels.ts [--batch 128] [--rounds 7]
 *
 * Prints milliseconds per batch for: forward as im2col + the dense forward kernel, forward as convDirect, the
 * input gradient (dense backprop kernel + col2im) and the fused filter gradient + Adam update (weightUpdate).
 */
import { parseArgs } from 'node:util';
import { Arena } from '../src/backends/cpu/wasm/memory.ts';
import type { Region } from '../src/backends/cpu/wasm/memory.ts';
import { Random } from '../src/random.ts';

interface Shape {
  name: string;
  C: number;
  H: number;
  W: number;
  F: number;
  k: number;
  /** fraction of zero inputs (MNIST pixels ~0.8; pooled ReLU outputs ~0.5) */
  zeros: number;
}

const SHAPES: Shape[] = [
  { name: 'conv1 1×28×28 → 32×26×26', C: 1, H: 28, W: 28, F: 32, k: 3, zeros: 0.8 },
  { name: 'conv2 32×13×13 → 64×11×11', C: 32, H: 13, W: 13, F: 64, k: 3, zeros: 0.5 },
];

type K = Record<string, (...a: number[]) => void>;

export function measureConvKernels(batch: number, rounds: number): string[] {
  const lines = [
    `ms per batch of ${batch}, one thread, least of ${rounds} interleaved rounds; δ 75% zeros (as after 2×2 max pooling)`,
    '',
    '| layer | pass | im2col + dense GEMM kernels | direct kernels | direct ÷ GEMM |',
    '|---|---|---:|---:|---:|',
  ];
  for (const s of SHAPES) {
    const arena = new Arena(false);
    const k = arena.kernels as unknown as K;
    const rng = new Random(1);
    const K = s.k * s.k * s.C;
    const Kp = Math.ceil(K / 4) * 4;
    const OH = s.H - s.k + 1;
    const OW = s.W - s.k + 1;
    const P = OH * OW;
    const rows = batch * P;
    const fill = (r: Region, zeros: number) => {
      const v = arena.view(r);
      for (let i = 0; i < v.length; i++) v[i] = rng.next() < zeros ? 0 : rng.uniform(-1, 1);
    };
    const x = arena.alloc(batch * s.H * s.W * s.C);
    const W = arena.alloc(s.F * Kp);
    const Wt = arena.alloc(K * s.F);
    const b = arena.alloc(s.F);
    const col = arena.alloc(rows * Kp);
    const ecol = arena.alloc(rows * Kp);
    const e = arena.alloc(batch * s.H * s.W * s.C);
    const v = arena.alloc(rows * s.F);
    const y = arena.alloc(rows * s.F);
    const delta = arena.alloc(rows * s.F);
    const state = [arena.alloc(s.F * Kp), arena.alloc(s.F * Kp), arena.alloc(s.F), arena.alloc(s.F)];
    const cfg = arena.alloc(16);
    const zeros = arena.alloc(s.C);
    const list = arena.alloc(Math.max(rows, Kp));
    fill(x, s.zeros);
    fill(Wt, 0);
    fill(b, 0);
    // δ after max pooling and ReLU: about 3 in 4 zero
    fill(delta, 0.75);
    const wv = arena.view(W);
    const wtv = arena.view(Wt);
    for (let f = 0; f < s.F; f++) for (let i = 0; i < K; i++) wv[f * Kp + i] = wtv[i * s.F + f];
    arena.view(cfg).set([2, 0.001, 0, 0.9, 0.999, 0.1, 0.001, 1e-7, batch, 0.1, 0.001]);
    const geo = [s.H, s.W, s.C, s.k, s.k, 1, 1, 0, 0, OH, OW];
    const G = arena.alloc(s.F * Kp);
    const colGeo = [OH, OW, Kp, 1, 1, 1, 1, 0, 0, OH, OW];
    const jobs: Record<string, () => void> = {
      im2col: () => k.im2col(x.ptr, col.ptr, ...geo, Kp, 0, rows, list.ptr),
      gemm: () => k.forward(W.ptr, b.ptr, col.ptr, v.ptr, y.ptr, Kp, s.F, 1, 3, 0, 0, rows, list.ptr),
      direct: () => k.convDirect(Wt.ptr, b.ptr, x.ptr, v.ptr, y.ptr, s.H, s.W, s.C, s.F, s.k, s.k, 1, 1, 0, 0, OH, OW, 1, 3, 0, zeros.ptr, 0, rows),
      directCol: () => k.convDirect(Wt.ptr, b.ptr, col.ptr, v.ptr, y.ptr, OH, OW, Kp, s.F, 1, 1, 1, 1, 0, 0, OH, OW, 1, 3, 0, zeros.ptr, 0, rows),
      inputGrad: () => k.convInputGrad(W.ptr, delta.ptr, e.ptr, ...geo, s.F, Kp, 0, batch, list.ptr),
      filterUpdate: () =>
        s.C < 8
          ? k.convFilterUpdate(W.ptr, b.ptr, delta.ptr, col.ptr, G.ptr, ...colGeo, s.F, Kp, batch, 1, state[0].ptr, state[1].ptr, state[2].ptr, state[3].ptr, cfg.ptr, 0, s.F)
          : k.convFilterUpdate(W.ptr, b.ptr, delta.ptr, x.ptr, G.ptr, ...geo, s.F, Kp, batch, 1, state[0].ptr, state[1].ptr, state[2].ptr, state[3].ptr, cfg.ptr, 0, s.F),
      backward: () => {
        k.backprop(W.ptr, delta.ptr, Kp, s.F, 0, 0, ecol.ptr, 0, 0, 0, rows);
        k.col2im(ecol.ptr, e.ptr, ...geo, Kp, 0, batch, 0);
      },
      update: () => k.weightUpdate(W.ptr, b.ptr, delta.ptr, col.ptr, rows, Kp, s.F, 1, state[0].ptr, state[1].ptr, state[2].ptr, state[3].ptr, cfg.ptr, 0, s.F, list.ptr),
    };
    const best: Record<string, number> = {};
    for (let r = 0; r < rounds; r++) {
      for (const [name, job] of Object.entries(jobs)) {
        const t0 = performance.now();
        job();
        const ms = performance.now() - t0;
        best[name] = Math.min(best[name] ?? Infinity, ms);
      }
    }
    const f = (ms: number) => ms.toFixed(2);
    const row = (pass: string, gemm: number, direct: number, how: string) => lines.push(`| ${s.name} | ${pass} | ${f(gemm)} | ${f(direct)} ${how} | ${(direct / gemm).toFixed(2)}× |`);
    // few channels: the direct kernels read the patch matrix as a 1×1 convolution's input (what conv2d.ts does)
    const fewChannels = s.C < 8;
    row('forward', best.im2col + best.gemm, fewChannels ? best.im2col + best.directCol : best.direct, fewChannels ? '(im2col + convDirect on it)' : '(convDirect)');
    if (!fewChannels) lines.push(`| ${s.name} | (convDirect on im2col) | | ${f(best.im2col + best.directCol)} | |`);
    row('input gradient', best.backward, best.inputGrad, '(convInputGrad)');
    row('filter gradient + Adam', best.update, best.filterUpdate, '(convFilterUpdate)');
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { batch: { type: 'string', default: '128' }, rounds: { type: 'string', default: '7' } } });
  console.log(measureConvKernels(Number(values.batch), Number(values.rounds)).join('\n'));
}
