/**
 * `npm run bench`: runs the benchmark suites and writes bench/out/results.json and bench/out/results.md.
 *
 *   npm run bench                                   every suite, every backend
 *   npm run bench -- --quick                        shorter runs (smoke test of the harness)
 *   npm run bench -- --only training,accuracy       some suites (training | matmul | accuracy | scaling | soak | cnn | mnist)
 *   npm run bench -- --only cnn                     the Keras MNIST convnet on cpu/webgpu against TF.js, jax-js, ConvNetJS
 *   npm run bench -- --only mnist                   official MNIST: epoch time and time to 98% (MLP) / 99% (CNN),
 *                                                   deltagpu cpu/webgpu and PyTorch (bench/mnist.ts; not in the default set)
 *   npm run bench -- --backends cpu,webgpu,tfjs-wasm
 *   npm run bench -- --epochs 3 --batches 64,256    training suite: epochs per run (first is warm-up)
 *   npm run bench -- --only training --dense        training suite on dense random inputs of the digits' shape
 *   npm run bench -- --only training --cpu-threads 1    deltagpu cpu on one thread (default: all cores)
 *   npm run bench -- --only training --backends cpu,pytorch --hidden 512,512   784-512-512-10 (cpu, webgpu, pytorch)
 *     (pytorch: the optional native peer, bench/pytorch/setup.sh; listed as unavailable where torch is absent)
 *   npm run bench -- --out DIR                      write results there instead of bench/out
 *
 * A suite or backend that fails is reported loudly and makes the exit code non-zero; the other suites still
 * run and their results are written. With --only, the suites not run keep their previous results in
 * results.json (so a long suite can be run once and the others refreshed).
 */
import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ALL_BACKENDS = ['cpu', 'webgpu', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-webgpu', 'jax-wasm', 'jax-webgpu', 'jax-cpu', 'brainjs', 'convnetjs', 'pytorch'] as const;
export type BenchBackend = (typeof ALL_BACKENDS)[number];
const SUITES = ['training', 'matmul', 'accuracy', 'scaling', 'soak', 'cnn', 'mnist'] as const;
// the long suites a plain `npm run bench` leaves out (--only names them)
const ON_REQUEST: readonly string[] = ['mnist'];
type Suite = (typeof SUITES)[number];

const here = dirname(fileURLToPath(import.meta.url));
const log = (s: string) => process.stderr.write(s + '\n');

export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  vkIcd: string | null;
  /** 1-minute load average when the run started: above ~0.5 on this 2-core machine, other work skews timings */
  loadAverage: number;
}

export function machineInfo(): MachineInfo {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    /* not Linux */
  }
  return {
    date: new Date().toISOString(),
    cpu,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    vkIcd: process.env.VK_ICD_FILENAMES ?? null,
    loadAverage: Math.round(loadavg()[0] * 100) / 100,
  };
}

function parseList<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T[] | null {
  if (value === undefined) return null;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const i of items) if (!allowed.includes(i as T)) throw new RangeError(`--${what}: unknown '${i}'; expected ${allowed.join(', ')}`);
  if (items.length === 0) throw new RangeError(`--${what}: empty list`);
  return items as T[];
}

interface SuiteOutcome {
  ok: boolean;
  error?: string;
  seconds: number;
  result?: unknown;
  markdown?: string;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      backends: { type: 'string' },
      epochs: { type: 'string' },
      batches: { type: 'string' },
      out: { type: 'string' },
      dense: { type: 'boolean', default: false },
      'cpu-threads': { type: 'string' },
      hidden: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0].replace(/^\/\*\*|^ \* ?/gm, ''));
    return 0;
  }
  const suites = parseList(values.only, SUITES, 'only') ?? SUITES.filter((s) => !ON_REQUEST.includes(s));
  const backends = parseList(values.backends, ALL_BACKENDS, 'backends') ?? [...ALL_BACKENDS];
  const quick = values.quick;
  const epochs = values.epochs === undefined ? undefined : Number(values.epochs);
  if (epochs !== undefined && !(Number.isInteger(epochs) && epochs >= 2)) throw new RangeError('--epochs must be an integer ≥ 2 (the first epoch is a warm-up)');
  const batches = values.batches?.split(',').map(Number);
  if (batches?.some((b) => !(Number.isInteger(b) && b > 0))) throw new RangeError('--batches: positive integers, e.g. 64,256');
  const hidden = values.hidden?.split(',').map(Number);
  if (hidden?.some((h) => !(Number.isInteger(h) && h > 0))) throw new RangeError('--hidden: positive integers, e.g. 512,512');
  const outDir = resolve(values.out ?? join(here, 'out'));
  mkdirSync(outDir, { recursive: true });

  const machine = machineInfo();
  log(`deltagpu bench — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date}, load average ${machine.loadAverage}`);
  if (machine.loadAverage > machine.cores / 2) log(`warning: load average ${machine.loadAverage} on ${machine.cores} cores: other processes will skew the timings`);
  log(`suites: ${suites.join(', ')}; backends: ${backends.join(', ')}${quick ? '; quick' : ''}`);

  const outcomes: Partial<Record<Suite, SuiteOutcome>> = {};
  // results from an earlier run, kept for the suites not run this time
  const jsonPath = join(outDir, 'results.json');
  let previous: { suites?: Record<string, unknown> } = {};
  if (existsSync(jsonPath)) {
    try {
      previous = JSON.parse(readFileSync(jsonPath, 'utf8')) as typeof previous;
    } catch {
      previous = {};
    }
  }
  // written after every suite, so a long run that dies later keeps what it measured
  const writeResults = () => {
    const merged = { ...(previous.suites ?? {}), ...Object.fromEntries(Object.entries(outcomes).map(([k, v]) => [k, { ...v, machine }])) } as Record<
      string,
      SuiteOutcome & { machine?: MachineInfo }
    >;
    writeFileSync(jsonPath, JSON.stringify({ machine, options: { quick, suites, backends, epochs, batches }, suites: merged }, null, 2) + '\n');
    const md = [
      `# deltagpu benchmark results`,
      '',
      `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}; ${machine.date}${quick ? ' (--quick)' : ''}; load average ${machine.loadAverage} at the start`,
      ...SUITES.filter((s) => merged[s]).flatMap((s) => [
        '',
        `## ${s}${outcomes[s] ? '' : ` (from an earlier run, ${merged[s].machine?.date ?? '?'})`}`,
        '',
        merged[s].markdown ?? '',
        merged[s].ok ? '' : `\n**FAILED**: ${merged[s].error}`,
      ]),
    ].join('\n');
    writeFileSync(join(outDir, 'results.md'), md + '\n');
  };
  let failed = false;
  for (const suite of suites) {
    log(`\n== ${suite} ==`);
    const t0 = performance.now();
    try {
      const o = await runSuite(suite, { quick, backends, epochs, batches, outDir, dense: values.dense, cpuThreads: values['cpu-threads'] ? Number(values['cpu-threads']) : undefined, hidden });
      outcomes[suite] = { ...o, seconds: (performance.now() - t0) / 1000 };
      if (!o.ok) failed = true;
      if (o.markdown) log('\n' + o.markdown);
      if (o.error) log(`\n${suite}: FAILED: ${o.error}`);
    } catch (e) {
      const msg = (e as Error).stack ?? String(e);
      log(`\n${suite}: FAILED: ${msg}`);
      outcomes[suite] = { ok: false, error: (e as Error).message, seconds: (performance.now() - t0) / 1000 };
      failed = true;
    }
    writeResults();
  }
  log(`\nwrote ${jsonPath} and ${join(outDir, 'results.md')}`);
  if (failed) log('bench: at least one suite or backend FAILED (see above); exit code 1');
  return failed ? 1 : 0;
}

interface SuiteArgs {
  quick: boolean;
  /** training suite: dense random inputs instead of the digits */
  dense?: boolean;
  /** training suite: deltagpu cpu's thread count */
  cpuThreads?: number;
  /** training suite: hidden widths (default 128) */
  hidden?: number[];
  backends: BenchBackend[];
  epochs?: number;
  batches?: number[];
  outDir: string;
}

async function runSuite(suite: Suite, a: SuiteArgs): Promise<Omit<SuiteOutcome, 'seconds'>> {
  if (suite === 'training') {
    const { runTrainingBench, trainingMarkdown } = await import('./training.ts');
    const r = await runTrainingBench({ backends: a.backends, quick: a.quick, epochs: a.epochs, batchSizes: a.batches, dense: a.dense, cpuThreads: a.cpuThreads, hidden: a.hidden, log });
    const errors = r.runs.filter((x) => x.error).map((x) => `${x.backend}: ${x.error}`);
    return { ok: errors.length === 0, error: errors.length ? errors.join('; ') : undefined, result: r, markdown: trainingMarkdown(r) };
  }
  if (suite === 'cnn') {
    const { runCnnBench, cnnMarkdown } = await import('./cnn.ts');
    const r = await runCnnBench({ backends: a.backends, quick: a.quick, epochs: a.epochs, cpuThreads: a.cpuThreads, log });
    const errors = r.runs.filter((x) => x.error && !x.unavailable).map((x) => `${x.backend}: ${x.error!.split('\n')[0]}`);
    return { ok: errors.length === 0, error: errors.length ? errors.join('; ') : undefined, result: r, markdown: cnnMarkdown(r) };
  }
  if (suite === 'accuracy') {
    const { runAccuracyBench, accuracyMarkdown } = await import('./accuracy.ts');
    const deltaBackends = a.backends.filter((b): b is 'cpu' | 'webgpu' => b === 'cpu' || b === 'webgpu');
    if (deltaBackends.length === 0) return { ok: true, result: [], markdown: '(no deltagpu backend selected)' };
    const r = await runAccuracyBench({ backends: deltaBackends, quick: a.quick, log });
    const missed = r.filter((x) => x.passed === false).map((x) => `${x.backend} reached ${(x.finalTestAccuracy * 100).toFixed(2)}% < ${(x.threshold ?? 0) * 100}%`);
    return { ok: missed.length === 0, error: missed.length ? `accuracy target missed: ${missed.join('; ')}` : undefined, result: r, markdown: accuracyMarkdown(r) };
  }
  if (suite === 'scaling') {
    const { runScalingBench, scalingMarkdown } = await import('./scaling.ts');
    const r = await runScalingBench({ backends: a.backends, quick: a.quick, outDir: a.outDir, log });
    const errors = [...Object.values(r.batch), ...Object.values(r.width), ...Object.values(r.data)].flat().filter((p) => p.error).map((p) => p.error!);
    if (r.cli?.error) errors.push(r.cli.error);
    return { ok: errors.length === 0, error: errors.length ? errors.join('; ') : undefined, result: r, markdown: scalingMarkdown(r) };
  }
  if (suite === 'mnist') {
    const { runMnistBench, mnistMarkdown } = await import('./mnist.ts');
    // PyTorch runs unless --backends leaves it out (where 'pytorch' is not yet a harness backend name, it runs
    // whenever --backends was not given)
    const all = ALL_BACKENDS.every((b) => a.backends.includes(b));
    const r = await runMnistBench({ backends: all ? [...a.backends, 'pytorch'] : a.backends, quick: a.quick, log });
    const failed = r.runs.filter((x) => x.error && !x.error.startsWith('skipped')).map((x) => `${x.backend} ${x.model}: ${x.error}`);
    return { ok: failed.length === 0, error: failed.length ? failed.join('; ') : undefined, result: r, markdown: mnistMarkdown(r) };
  }
  if (suite === 'soak') {
    const { runSoakBench, soakMarkdown } = await import('./soak.ts');
    const deltaBackends = a.backends.filter((b): b is 'cpu' | 'webgpu' => b === 'cpu' || b === 'webgpu');
    const r = await runSoakBench({ backends: deltaBackends, quick: a.quick, log });
    const failed = r.filter((x) => x.error).map((x) => `${x.backend} ${x.phase}: ${x.error}`);
    return { ok: failed.length === 0, error: failed.length ? failed.join('; ') : undefined, result: r, markdown: soakMarkdown(r) };
  }
  // matmul: owned by another engineer (bench/matmul.ts: runMatmulBench(options) and toMarkdown(result))
  const file = join(here, 'matmul.ts');
  if (!existsSync(file)) return { ok: false, error: 'bench/matmul.ts does not exist yet (the matmul suite is not written)' };
  const mod = (await import(pathToFileURL(file).href)) as typeof import('./matmul.ts');
  if (typeof mod.runMatmulBench !== 'function') return { ok: false, error: 'bench/matmul.ts does not export runMatmulBench' };
  const r = await mod.runMatmulBench({ log, outDir: a.outDir, ...(a.quick ? { sizes: [256, 512], budget: 0.5, maxRun: 5 } : {}) });
  const broken = r.rows.filter((x) => x.timing !== 'skipped' && !(x.gflops !== null && Number.isFinite(x.gflops) && x.gflops > 0));
  const noGpu = a.backends.includes('webgpu') && r.adapter === 'none';
  const errors = [
    ...(noGpu ? ['no WebGPU adapter: only the CPU loop was measured'] : []),
    ...broken.map((x) => `${x.shape} ${x.impl}: ${x.gflops} GFLOP/s`),
  ];
  const markdown = typeof mod.toMarkdown === 'function' ? mod.toMarkdown(r) : '```json\n' + JSON.stringify(r, null, 2) + '\n```';
  return { ok: errors.length === 0, error: errors.length ? errors.join('; ') : undefined, result: r, markdown };
}

// only when run as the entry (bench/training.ts imports machineInfo from here)
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      log(`bench: ${(e as Error).message}`);
      process.exitCode = 2;
    },
  );
}
