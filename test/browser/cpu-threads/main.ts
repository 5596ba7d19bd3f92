// Page for test/cpu-threads-browser.test.ts: trains one seeded network on the CPU backend's WebAssembly
// kernels with 1, 2 and 3 threads (Web Workers) and publishes the weights and what each backend said.
import { createCpuBackend } from '../../../src/backends/cpu/backend.ts';
import { Random } from '../../../src/random.ts';
import { makeParams, makeSpec } from '../../helpers/networks.ts';

async function main(): Promise<void> {
  const spec = makeSpec({ sizes: [784, 40, 10], hidden: 'relu', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'momentum', learningRate: 0.05 } });
  const rng = new Random(7);
  const params = makeParams(spec, rng);
  const rows = 256;
  const x = Float32Array.from({ length: rows * 784 }, () => (rng.next() < 0.8 ? 0 : rng.uniform(0, 1)));
  const y = new Float32Array(rows * 10);
  for (let r = 0; r < rows; r++) y[r * 10 + Math.floor(rng.next() * 10)] = 1;
  const runs = [];
  for (const threads of [1, 2, 3]) {
    const backend = createCpuBackend({ threads });
    const session = await backend.compile(spec, params);
    const data = await session.upload({ data: x, rows, cols: 784 }, { data: y, rows, cols: 10 });
    const order = Uint32Array.from(new Random(3).permutation(rows));
    await session.trainSteps(data, order, 0, 64, 4);
    const out = await session.getParams();
    runs.push({
      threads: backend.threads,
      kernels: backend.kernels,
      fallbackReason: backend.fallbackReason,
      description: backend.description,
      splitCalls: (session as unknown as { splitCalls?: number }).splitCalls ?? 0,
      W: out.map((p) => Array.from(p.W)),
      b: out.map((p) => Array.from(p.b)),
    });
    session.dispose();
  }
  (window as unknown as { result: unknown }).result = { crossOriginIsolated: globalThis.crossOriginIsolated === true, runs, initialW0: Array.from(params[0].W.slice(0, 50)) };
}

main().catch((e) => {
  (window as unknown as { result: unknown }).result = { error: String((e as Error).stack ?? e) };
});
