/**
 * Worker threads for the CPU backend's WebAssembly kernels. Every worker instantiates the same module on
 * the session's shared memory; a kernel call is split into parts of its output (rows for forward and
 * backprop, units for the weight update), the calling thread runs the first part and each worker one of
 * the others, and the call returns when all are done. Parts never share an output element and no sum is
 * split between threads (partition the output, not the reduction), and part boundaries fall on whole tiles
 * (see src/backends/cpu/wasm/dense-simd.as.ts), so the results are the same for any thread count.
 *
 * Signalling uses Atomics on a small shared control block: the caller bumps a generation counter and
 * notifies; each worker runs its part and counts itself done. Workers are worker_threads in Node and Web
 * Workers in a browser, where SharedArrayBuffer exists only on a cross-origin-isolated page (elsewhere the
 * backend runs one thread and says why: threadSupport). The caller blocks in Atomics.wait in Node; a
 * browser's main thread may not block, so there it spins until the workers are done.
 */
import type { Arena, WasmExports } from './memory.ts';

/** Kernel ids in the control block, in the order of KERNEL_NAMES. */
export const KERNEL_NAMES = [
  'forward',
  'backprop',
  'weightUpdate',
  // layer 0 of a dense net in the transposed layout (wasm/dense-transposed.as.ts)
  'forwardT',
  'weightUpdateT',
  // the other layer kinds (src/backends/cpu/wasm/layers.ts, conv2d.ts)
  'im2col',
  'col2im',
  'convDirect',
  'convInputGrad',
  'convFilterUpdate',
  'activateRange',
  'maxPoolForward',
  'maxPoolBackward',
  'avgPoolForward',
  'avgPoolBackward',
  'dropoutForward',
  'dropoutBackward',
  'nhwcToNchw',
  'nchwToNhwc',
  'derivativeTimes',
] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

// Control block (Int32 slots): generation, done count, kernel id (-1: exit), argument count, error flag,
// then per worker [from, to, list pointer]; kernel arguments as float64 from ARGS_BYTE.
const GEN = 0;
const DONE = 1;
const KERNEL = 2;
const NARGS = 3;
const ERROR = 4;
const PARTS = 8;
const ARGS_BYTE = 512;
const MAX_ARGS = 32;
export const MAX_THREADS = 40;

/**
 * The worker's program (plain JavaScript, no file to locate at run time): instantiate the kernels on the
 * shared memory, then wait for a generation bump, run this worker's part, count itself done. `start(run)`
 * is where Node (workerData, at once) and a browser (the first message) differ.
 */
const WORKER_LOOP = `
function run({ module, memory, control, index }) {
  const k = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('CPU WebAssembly kernel aborted'); } } }).exports;
  const names = ${JSON.stringify(KERNEL_NAMES)};
  const ctrl = new Int32Array(control);
  const args = new Float64Array(control, ${ARGS_BYTE}, ${MAX_ARGS});
  ready();
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, ${GEN}, seen);
    const gen = Atomics.load(ctrl, ${GEN});
    if (gen === seen) continue;
    seen = gen;
    const id = ctrl[${KERNEL}];
    if (id < 0) break;
    const p = ${PARTS} + 3 * index;
    try {
      if (ctrl[p] < ctrl[p + 1]) k[names[id]](...args.subarray(0, ctrl[${NARGS}]), ctrl[p], ctrl[p + 1], ctrl[p + 2]);
    } catch (e) {
      Atomics.store(ctrl, ${ERROR}, 1);
    }
    Atomics.add(ctrl, ${DONE}, 1);
    Atomics.notify(ctrl, ${DONE});
  }
}
`;
const NODE_WORKER_SOURCE = `${WORKER_LOOP}
const ready = () => {};
run(require('node:worker_threads').workerData);
`;
const BROWSER_WORKER_SOURCE = `${WORKER_LOOP}
const ready = () => self.postMessage('ready');
self.onmessage = (event) => run(event.data);
`;

const isNode = () => typeof process !== 'undefined' && !!process.versions?.node;

/** Whether worker threads can run here, and if not, why (for `deltagpu info` and the backend description). */
export function threadSupport(): { ok: true } | { ok: false; reason: string } {
  if (isNode()) return typeof SharedArrayBuffer === 'undefined' ? { ok: false, reason: 'no SharedArrayBuffer in this Node' } : { ok: true };
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  if (typeof g.Worker !== 'function') return { ok: false, reason: 'no Web Workers here' };
  if (typeof SharedArrayBuffer === 'undefined' || g.crossOriginIsolated === false) {
    return { ok: false, reason: 'no SharedArrayBuffer: the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)' };
  }
  return { ok: true };
}

/** The default thread count: the cores this process may use (Node's os.availableParallelism). */
export function defaultThreads(): number {
  const getBuiltin = typeof process !== 'undefined' ? (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule : undefined;
  const os = getBuiltin?.('node:os') as typeof import('node:os') | undefined;
  const n = os ? (os.availableParallelism?.() ?? os.cpus().length) : (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Math.max(1, Math.min(MAX_THREADS, n ?? 1));
}

export class ThreadPool {
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private workers: { terminate(): unknown }[] = [];
  private lists: number[] = [];
  private readonly canBlock = isNode();
  /** kernel calls split across threads so far (for tests: the threaded path did run) */
  splitCalls = 0;

  private constructor(
    private readonly arena: Arena,
    readonly threads: number,
  ) {
    // one thread needs no shared block (and a page that is not cross-origin isolated has no SharedArrayBuffer)
    const control = threads > 1 ? new SharedArrayBuffer(ARGS_BYTE + 8 * MAX_ARGS) : new ArrayBuffer(ARGS_BYTE + 8 * MAX_ARGS);
    this.ctrl = new Int32Array(control);
    this.args = new Float64Array(control, ARGS_BYTE, MAX_ARGS);
  }

  /** Starts `threads − 1` workers on the arena's (shared) memory; resolves when all are running. */
  static async start(arena: Arena, threads: number): Promise<ThreadPool> {
    const pool = new ThreadPool(arena, threads);
    if (threads > 1) {
      const data = (index: number) => ({ module: arena.module, memory: arena.memory, control: pool.ctrl.buffer, index });
      if (isNode()) {
        const { Worker } = (await import(/* @vite-ignore */ 'node:' + 'worker_threads')) as typeof import('node:worker_threads');
        const workers = Array.from({ length: threads - 1 }, (_, w) => new Worker(NODE_WORKER_SOURCE, { eval: true, workerData: data(w) }));
        pool.workers = workers;
        await Promise.all(workers.map((w) => new Promise<void>((res, rej) => {
          w.once('online', () => res());
          w.once('error', (e) => rej(e));
        })));
        // unref'd only now: while starting, the workers are what keeps the process waiting for them
        for (const w of workers) w.unref();
      } else {
        const url = URL.createObjectURL(new Blob([BROWSER_WORKER_SOURCE], { type: 'text/javascript' }));
        const workers = Array.from({ length: threads - 1 }, () => new Worker(url));
        pool.workers = workers;
        await Promise.all(workers.map((w, index) => new Promise<void>((res, rej) => {
          w.onmessage = () => res();
          w.onerror = (e) => rej(new Error(`CPU worker failed to start: ${e.message}`));
          w.postMessage(data(index));
        })));
        URL.revokeObjectURL(url);
      }
    }
    return pool;
  }

  /** Per-thread scratch (the kernels' `list`): `length` i32 for each thread, thread 0 included. */
  setLists(lists: number[]): void {
    this.lists = lists;
  }

  get kernels(): WasmExports {
    return this.arena.kernels;
  }

  /**
   * Runs kernel `name` with `args` over [0, count) split into parts of whole `tile`s; `minWork` says whether
   * splitting is worth a wake-up (small calls run on the calling thread alone, with the same results).
   */
  run(name: KernelName, args: number[], count: number, tile: number, split: boolean): void {
    const k = this.arena.kernels as unknown as Record<KernelName, (...a: number[]) => void>;
    const n = this.workers.length + 1;
    if (n === 1 || !split || count <= tile) {
      k[name](...args, 0, count, this.lists[0] ?? 0);
      return;
    }
    const tiles = Math.ceil(count / tile);
    const bound = (p: number) => Math.min(count, Math.floor((tiles * p) / n) * tile);
    const ctrl = this.ctrl;
    this.splitCalls++;
    for (let w = 1; w < n; w++) {
      const p = PARTS + 3 * (w - 1);
      ctrl[p] = bound(w);
      ctrl[p + 1] = bound(w + 1);
      ctrl[p + 2] = this.lists[w];
    }
    for (let a = 0; a < args.length; a++) this.args[a] = args[a];
    ctrl[NARGS] = args.length;
    ctrl[KERNEL] = KERNEL_NAMES.indexOf(name);
    Atomics.store(ctrl, DONE, 0);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    let failed: unknown = null;
    try {
      if (bound(1) > 0) k[name](...args, 0, bound(1), this.lists[0]);
    } catch (e) {
      failed = e;
    }
    // Node's main thread may block; a browser's may not (Atomics.wait throws there), so it spins, briefly:
    // the parts are balanced and each is about as long as the one this thread has just run.
    if (this.canBlock) for (let done = Atomics.load(ctrl, DONE); done < n - 1; done = Atomics.load(ctrl, DONE)) Atomics.wait(ctrl, DONE, done);
    else while (Atomics.load(ctrl, DONE) < n - 1);
    if (failed) throw failed;
    if (Atomics.exchange(ctrl, ERROR, 0)) throw new Error(`CPU WebAssembly kernel '${name}' failed in a worker thread`);
  }

  dispose(): void {
    if (this.workers.length === 0) return;
    this.ctrl[KERNEL] = -1;
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    for (const w of this.workers) void w.terminate();
    this.workers = [];
  }
}
