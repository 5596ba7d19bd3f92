/**
 * Scaling suite (`npm run bench -- --only scaling`): how the cost grows with the work, on `cpu` and `webgpu`.
 *
 *  - samples/s against batch size (1 … 4096), MLP 784-128-10, on 8,192 synthetic 8-bit digits;
 *  - samples/s against hidden width (32 … 4096), MLP 784-W-10, batch 256;
 *  - per data-set size (10k, 60k, 240k synthetic 28×28 images: the embedded digits repeated and shifted,
 *    src/data/synthetic.ts): seconds per epoch of 784-16-10 at batch 256, peak live GPU buffer bytes and the
 *    process's peak RSS; `webgpu-128MiB` is the GPU with the storage binding limit forced to 128 MiB, where
 *    240k images (188 MB of bytes) stream in chunks;
 *  - `deltagpu train --data` on IDX files of 60,000 images: peak RSS beyond a 1,000-image run of the same
 *    command (the runtime's baseline), against 2× the images' 8-bit size.
 *
 * Each measurement runs in its own child process (its RSS is its own; a crash is reported, not fatal):
 *   node bin/run-ts.js bench/scaling.ts --child batch|width|data --backend B --result FILE [--size N] [--quick]
 * Throughput: one warm-up step, one timed step to size the run, then as many steps as fit about a second
 * (a few with --quick) in one trainSteps call; samples/s = patterns / wall time of that call.
 * SVG plots go to the output folder, and beside bench/RESULTS.md unless --quick.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Backend, LayerParams, NetworkSpec } from '../src/backend.ts';
import { resolveOptimizer } from '../src/optimizers.ts';
import { lineChartSvg } from './svg-lines.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const MiB = 2 ** 20;

export const SCALING_BACKENDS = ['cpu', 'webgpu', 'webgpu-128MiB'] as const;
type ScalingBackend = (typeof SCALING_BACKENDS)[number];

interface Point {
  x: number;
  samplesPerSecond?: number;
  epochSeconds?: number;
  gpuBytesPeak?: number | null;
  peakRss?: number;
  rssData?: number;
  error?: string;
}

export interface ScalingResult {
  device: Record<string, string>;
  batch: Record<string, Point[]>;
  width: Record<string, Point[]>;
  data: Record<string, Point[]>;
  cli: { images: number; dataBytes: number; baselineRss: number; peakRss: number; beyondBaseline: number; limit: number; error?: string } | null;
}

// ---------------------------------------------------------------- child

function spec(hidden: number): NetworkSpec {
  return {
    layers: [
      { inputs: 784, units: hidden, activation: 'relu', bias: true, alpha: 0 },
      { inputs: hidden, units: 10, activation: 'softmax', bias: true, alpha: 0 },
    ],
    loss: 'categoricalCrossentropy',
    optimizer: resolveOptimizer({ type: 'sgd', learningRate: 0.05 }),
  };
}

async function params(s: NetworkSpec): Promise<LayerParams[]> {
  const { Random } = await import('../src/random.ts');
  const rng = new Random(1);
  return s.layers.map((l) => {
    const a = Math.sqrt(6 / (l.inputs + l.units));
    return { W: Float32Array.from({ length: l.units * l.inputs }, () => rng.uniform(-a, a)), b: new Float32Array(l.units) };
  });
}

let keepAlive: unknown = null;

async function makeBackend(name: ScalingBackend, device: Record<string, string>): Promise<{ be: Backend; gpu: { live: number; peak: number } | null }> {
  if (name === 'cpu') {
    const { createCpuBackend } = await import('../src/backends/cpu/backend.ts');
    const be = createCpuBackend();
    device[name] = be.description;
    return { be, gpu: null };
  }
  const { requestGpu, createWebGpuBackend } = await import('../src/backends/webgpu/index.ts');
  const { countGpuBytes } = await import('./training.ts');
  const ctx = await requestGpu(name === 'webgpu-128MiB' ? { limits: { maxStorageBufferBindingSize: 128 * MiB } } : {});
  if (!ctx) throw new Error('webgpu: no adapter (set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)');
  keepAlive = ctx;
  const gpu = countGpuBytes(ctx.device);
  const be = await createWebGpuBackend({ context: ctx });
  device[name] = `${be.description}; binding limit ${(ctx.limits.maxStorageBufferBindingSize / MiB).toFixed(0)} MiB`;
  return { be, gpu };
}

/** samples/s of `batch`-row steps, timed over about `budget` seconds in one trainSteps call. */
async function throughput(be: Backend, hidden: number, batch: number, rows: number, budget: number): Promise<number> {
  const { syntheticDigits } = await import('../src/data/synthetic.ts');
  const { Random } = await import('../src/random.ts');
  const s = spec(hidden);
  const session = await be.compile(s, await params(s));
  const set = syntheticDigits(rows);
  const data = await session.upload(set.x, set.y);
  const order = new Random(2).permutation(rows);
  await session.trainSteps(data, order, 0, batch, 1);
  let t0 = performance.now();
  await session.trainSteps(data, order, 0, batch, 1);
  const one = (performance.now() - t0) / 1000;
  const steps = Math.max(1, Math.min(Math.floor(rows / batch), Math.floor(budget / Math.max(one, 1e-6))));
  t0 = performance.now();
  const m = await session.trainSteps(data, order, 0, batch, steps);
  const sps = m.count / ((performance.now() - t0) / 1000);
  session.dispose();
  return sps;
}

async function child(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { child: { type: 'string' }, backend: { type: 'string' }, result: { type: 'string' }, size: { type: 'string' }, quick: { type: 'boolean', default: false } } });
  const name = values.backend as ScalingBackend;
  const device: Record<string, string> = {};
  const points: Point[] = [];
  const budget = values.quick ? 0.3 : 1.5;
  try {
    const { be, gpu } = await makeBackend(name, device);
    if (values.child === 'batch') {
      for (const b of values.quick ? [1, 64, 1024, 4096] : [1, 8, 64, 256, 1024, 4096]) points.push({ x: b, samplesPerSecond: await throughput(be, 128, b, 8192, budget) });
    } else if (values.child === 'width') {
      for (const w of values.quick ? [32, 512, 4096] : [32, 128, 512, 1024, 2048, 4096]) points.push({ x: w, samplesPerSecond: await throughput(be, w, 256, 2048, budget) });
    } else {
      const { syntheticDigits } = await import('../src/data/synthetic.ts');
      const { Random } = await import('../src/random.ts');
      const n = Number(values.size);
      const rss0 = process.memoryUsage().rss;
      const set = syntheticDigits(n);
      const rssData = process.memoryUsage().rss - rss0;
      const s = spec(16);
      const session = await be.compile(s, await params(s));
      const data = await session.upload(set.x, set.y);
      const order = new Random(3).permutation(n);
      await session.trainSteps(data, order, 0, 256, 1); // warm-up: pipelines
      const t0 = performance.now();
      await session.trainSteps(data, order, 0, 256, Math.ceil(n / 256));
      const epochSeconds = (performance.now() - t0) / 1000;
      session.dispose();
      points.push({ x: n, epochSeconds, gpuBytesPeak: gpu?.peak ?? null, peakRss: process.resourceUsage().maxRSS * 1024, rssData });
    }
    be.dispose();
  } catch (e) {
    points.push({ x: Number(values.size ?? 0), error: (e as Error).message });
  }
  writeFileSync(values.result!, JSON.stringify({ device, points }));
}

// ---------------------------------------------------------------- parent

function runChild(args: string[], log: (s: string) => void): Promise<void> {
  return new Promise((res) => {
    const c = spawn(process.execPath, [join(root, 'bin', 'run-ts.js'), join(here, 'scaling.ts'), ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr.on('data', (d: Buffer) => d.toString().split('\n').filter((l) => l.trim()).forEach((l) => log(`  [child] ${l}`)));
    c.on('close', () => res());
  });
}

/** Peak RSS (bytes) of `deltagpu train --data DIR` on the CPU backend, through /usr/bin/time. */
function cliPeakRss(dir: string, out: string): number {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(root, 'bin', 'deltagpu.js'), 'train', 'mnist', '--data', dir, '--backend', 'cpu', '--layers', '16', '--epochs', '1', '--batch-size', '256', '--quiet', '--out', join(out, 'model.safetensors')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`deltagpu train exited ${r.status}: ${r.stderr.slice(-500)}`);
  const kb = Number(r.stderr.trim().split('\n').at(-1));
  if (!(kb > 0)) throw new Error(`no peak RSS from /usr/bin/time: ${r.stderr.slice(-200)}`);
  return kb * 1024;
}

async function cliMemory(tmp: string): Promise<ScalingResult['cli']> {
  const { syntheticDigits } = await import('../src/data/synthetic.ts');
  const { encodeIdx } = await import('../src/data/idx.ts');
  const write = (dir: string, n: number) => {
    const { x, y } = syntheticDigits(n);
    const test = syntheticDigits(1000);
    rmSync(dir, { recursive: true, force: true });
    spawnSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), encodeIdx([n, 28, 28], x.bytes));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx([n], Uint8Array.from(y.indices)));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx([1000, 28, 28], test.x.bytes));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([1000], Uint8Array.from(test.y.indices)));
  };
  const images = 60000;
  try {
    write(join(tmp, 'base'), 1000);
    write(join(tmp, 'big'), images);
    const baselineRss = cliPeakRss(join(tmp, 'base'), tmp);
    const peakRss = cliPeakRss(join(tmp, 'big'), tmp);
    const dataBytes = images * 784;
    return { images, dataBytes, baselineRss, peakRss, beyondBaseline: peakRss - baselineRss, limit: 2 * dataBytes };
  } catch (e) {
    return { images, dataBytes: images * 784, baselineRss: 0, peakRss: 0, beyondBaseline: 0, limit: 2 * images * 784, error: (e as Error).message };
  }
}

export async function runScalingBench(o: { backends: readonly string[]; quick: boolean; outDir: string; log: (s: string) => void }): Promise<ScalingResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'deltagpu-scaling-'));
  const result: ScalingResult = { device: {}, batch: {}, width: {}, data: {}, cli: null };
  const want = SCALING_BACKENDS.filter((b) => o.backends.includes(b) || (b === 'webgpu-128MiB' && o.backends.includes('webgpu')));
  const one = async (kind: 'batch' | 'width' | 'data', backend: string, size?: number): Promise<Point[]> => {
    const file = join(tmp, `${kind}-${backend}-${size ?? 0}.json`);
    o.log(`scaling: ${kind} on ${backend}${size ? `, ${size} images` : ''} …`);
    await runChild(['--child', kind, '--backend', backend, '--result', file, ...(size ? ['--size', String(size)] : []), ...(o.quick ? ['--quick'] : [])], o.log);
    try {
      const r = JSON.parse(readFileSync(file, 'utf8')) as { device: Record<string, string>; points: Point[] };
      Object.assign(result.device, r.device);
      return r.points;
    } catch {
      return [{ x: size ?? 0, error: 'the child process died without a result' }];
    }
  };
  try {
    for (const b of want.filter((x) => x !== 'webgpu-128MiB')) {
      result.batch[b] = await one('batch', b);
      result.width[b] = await one('width', b);
    }
    for (const n of o.quick ? [10000, 60000] : [10000, 60000, 240000]) {
      for (const b of want) (result.data[b] ??= []).push(...(await one('data', b, n)));
    }
    if (o.backends.includes('cpu')) result.cli = await cliMemory(tmp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  writePlots(result, o.quick ? [o.outDir] : [o.outDir, here]);
  return result;
}

export function writePlots(r: ScalingResult, dirs: string[]): void {
  const series = (m: Record<string, Point[]>, f: (p: Point) => number | undefined | null) =>
    Object.entries(m).map(([name, pts]) => ({ name, points: pts.filter((p) => !p.error).map((p) => ({ x: p.x, y: f(p) ?? NaN })) }));
  const plots: Record<string, string> = {
    'scaling-batch.svg': lineChartSvg('MLP 784-128-10: throughput vs batch size', 'batch size', 'samples/s', series(r.batch, (p) => p.samplesPerSecond)),
    'scaling-width.svg': lineChartSvg('MLP 784-W-10, batch 256: throughput vs hidden width', 'hidden width W', 'samples/s', series(r.width, (p) => p.samplesPerSecond)),
    'scaling-data.svg': lineChartSvg('784-16-10, batch 256: one epoch vs data size', 'images', 'seconds per epoch', series(r.data, (p) => p.epochSeconds)),
    'scaling-memory.svg': lineChartSvg('Peak memory vs data size', 'images', 'bytes', [
      ...series(r.data, (p) => p.gpuBytesPeak).filter((s) => s.name !== 'cpu').map((s) => ({ ...s, name: `${s.name} GPU buffers` })),
      ...series(r.data, (p) => p.peakRss).map((s) => ({ ...s, name: `${s.name} RSS` })),
    ]),
  };
  for (const d of dirs) for (const [f, svg] of Object.entries(plots)) writeFileSync(join(d, f), svg + '\n');
}

const fmt = (v?: number | null) => (v === undefined || v === null || !Number.isFinite(v) ? '–' : Math.round(v).toLocaleString('en-US'));
const mb = (v?: number | null) => (v === undefined || v === null ? '–' : `${(v / MiB).toFixed(1)} MiB`);

export function scalingMarkdown(r: ScalingResult): string {
  const table = (title: string, m: Record<string, Point[]>, cell: (p: Point) => string) => {
    const xs = [...new Set(Object.values(m).flatMap((ps) => ps.map((p) => p.x)))].sort((a, b) => a - b);
    const rows = Object.entries(m).map(([b, ps]) => `| ${b} | ${xs.map((x) => { const p = ps.find((q) => q.x === x); return p ? (p.error ? `FAILED: ${p.error.replace(/\|/g, '/').slice(0, 80)}` : cell(p)) : '–'; }).join(' | ')} |`);
    return [`| ${title} | ${xs.map((x) => x.toLocaleString('en-US')).join(' | ')} |`, `|---|${xs.map(() => '---:').join('|')}|`, ...rows].join('\n');
  };
  const lines = [
    ...Object.entries(r.device).map(([b, d]) => `- \`${b}\`: ${d}`),
    '',
    'Samples/s against batch size (MLP 784-128-10, SGD; plot: scaling-batch.svg):',
    '',
    table('backend \\ batch', r.batch, (p) => fmt(p.samplesPerSecond)),
    '',
    'Samples/s against hidden width (MLP 784-W-10, batch 256; plot: scaling-width.svg):',
    '',
    table('backend \\ width', r.width, (p) => fmt(p.samplesPerSecond)),
    '',
    'One epoch of 784-16-10 at batch 256 against data size (synthetic 8-bit 28×28 digits; plots: scaling-data.svg, scaling-memory.svg). Cells: seconds per epoch / peak live GPU buffer bytes / peak RSS of the process:',
    '',
    table('backend \\ images', r.data, (p) => `${p.epochSeconds?.toFixed(2)} s / ${mb(p.gpuBytesPeak)} / ${mb(p.peakRss)}`),
  ];
  if (r.cli) {
    lines.push(
      '',
      r.cli.error
        ? `\`deltagpu train --data\` memory check FAILED: ${r.cli.error}`
        : `\`deltagpu train --data\` (cpu, 784-16-10, 1 epoch) on ${r.cli.images.toLocaleString('en-US')} IDX images (${mb(r.cli.dataBytes)} of bytes): peak RSS ${mb(r.cli.peakRss)}, ` +
            `${mb(r.cli.beyondBaseline)} beyond the same command on 1,000 images (${mb(r.cli.baselineRss)}); limit 2× the bytes = ${mb(r.cli.limit)}: ` +
            `${r.cli.beyondBaseline <= r.cli.limit ? 'within' : '**over**'}.`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  child(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
