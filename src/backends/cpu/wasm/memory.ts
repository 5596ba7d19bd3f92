/**
 * The WebAssembly side of the CPU backend: the compiled kernels (src/backends/cpu/wasm/dense-simd.as.ts, embedded by
 * bin/embed-assets.js into src/generated/cpu-wasm.ts) and the memory they run on.
 *
 * A session keeps its parameters, optimizer state and scratch arrays inside the module's memory and works on
 * Float32Array views over it, so a training step copies nothing in or out but the batch's patterns. The
 * memory is laid out once by a bump allocator (`Arena`); growing it (a larger batch) replaces the views.
 * With threads the memory is a shared one, and every worker instantiates the same module on it.
 */
import { CPU_WASM_PLAIN, CPU_WASM_SHARED } from '../../../generated/cpu-wasm.ts';

/** The exported kernels (pointers are byte addresses into the memory; see src/backends/cpu/wasm/dense-simd.as.ts). */
export interface WasmExports {
  forward(W: number, b: number, x: number, v: number, y: number, inputs: number, units: number, hasBias: number, act: number, alpha: number, from: number, to: number, list: number): void;
  backprop(W: number, delta: number, inputs: number, units: number, vPrev: number, yPrev: number, out: number, act: number, alpha: number, from: number, to: number): void;
  weightUpdate(W: number, b: number, delta: number, x: number, rows: number, inputs: number, units: number, hasBias: number, mW: number, sW: number, mb: number, sb: number, cfg: number, from: number, to: number, list: number): void;
  targetMinusOutput(d: number, y: number, delta: number, n: number): void;
  // the first layer's, on transposed weights WT (inputs × stride): src/backends/cpu/wasm/dense-transposed.as.ts
  forwardT(WT: number, b: number, x: number, v: number, y: number, inputs: number, units: number, stride: number, hasBias: number, act: number, alpha: number, csr: number, counts: number, from: number, to: number, unused: number): void;
  columnLists(csr: number, counts: number, rows: number, inputs: number, colStart: number, csc: number): void;
  weightUpdateT(WT: number, b: number, delta: number, colStart: number, csc: number, rows: number, inputs: number, units: number, stride: number, hasBias: number, mW: number, sW: number, mb: number, sb: number, cfg: number, from: number, to: number, unused: number): void;
  widenUnorm8(src: number, dst: number, n: number): void;
}

const PAGE = 65536;
/** the shared build's declared maximum (assembly compiled with --maximumMemory 65536 pages = 4 GiB) */
const MAX_PAGES = 65536;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const s = atob(base64);
  const bytes = new Uint8Array(s.length);
  for (let k = 0; k < s.length; k++) bytes[k] = s.charCodeAt(k);
  return bytes;
}

let modules: { plain?: WebAssembly.Module; shared?: WebAssembly.Module } = {};
let simd: boolean | undefined;

/**
 * Whether this engine runs the kernels: WebAssembly with the 128-bit SIMD proposal (every current browser,
 * Node ≥ 16). Where it does not, the CPU backend falls back to the TypeScript kernels of dense-fast.ts.
 */
export function wasmSimdAvailable(): boolean {
  if (simd === undefined) {
    try {
      simd = typeof WebAssembly === 'object' && WebAssembly.validate(decode(CPU_WASM_PLAIN));
    } catch {
      simd = false;
    }
  }
  return simd;
}

/** The compiled module, for a shared memory (threads) or a plain one; compiled once per process. */
export function kernelModule(shared: boolean): WebAssembly.Module {
  const key = shared ? 'shared' : 'plain';
  modules[key] ??= new WebAssembly.Module(decode(shared ? CPU_WASM_SHARED : CPU_WASM_PLAIN));
  return modules[key];
}

/** for tests: forget the compiled modules */
export function resetKernelModules(): void {
  modules = {};
}

/** A region of the memory: `length` float32 (or int32) values from byte address `ptr`. */
export interface Region {
  ptr: number;
  length: number;
}

/**
 * The module's memory, instantiated kernels and a bump allocator over it. Regions are never freed one by one
 * (a session allocates its arrays once; a larger batch allocates new scratch and leaves the old unused).
 */
export class Arena {
  readonly memory: WebAssembly.Memory;
  readonly kernels: WasmExports;
  readonly module: WebAssembly.Module;
  /** the first page is left empty: address 0 stays an obviously invalid pointer */
  private top = PAGE;
  private buffer: ArrayBufferLike | null = null;
  private f32: Float32Array = new Float32Array(0);
  private u8: Uint8Array = new Uint8Array(0);

  constructor(readonly shared: boolean) {
    this.module = kernelModule(shared);
    this.memory = shared ? new WebAssembly.Memory({ initial: 2, maximum: MAX_PAGES, shared: true }) : new WebAssembly.Memory({ initial: 2 });
    const instance = new WebAssembly.Instance(this.module, { env: { memory: this.memory, abort: abortFromWasm } });
    this.kernels = instance.exports as unknown as WasmExports;
  }

  /** Reserves `length` float32 values (zeroed: fresh memory is zero and regions are never reused), 16-byte aligned. */
  alloc(length: number): Region {
    const ptr = this.top;
    const bytes = Math.ceil((length * 4) / 16) * 16;
    const end = ptr + Math.max(bytes, 16);
    if (end > MAX_PAGES * PAGE) throw new RangeError(`CPU WebAssembly memory: ${end} bytes needed, more than the 4 GiB a wasm32 memory can address`);
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    this.top = end;
    return { ptr, length };
  }

  /** A Float32Array over a region; valid until the memory grows (so take views after allocating). */
  view(r: Region): Float32Array {
    this.refresh();
    return this.f32.subarray(r.ptr >> 2, (r.ptr >> 2) + r.length);
  }

  /** A Uint8Array over the whole memory (index = byte address), for byte regions; valid until the memory grows. */
  byteView(): Uint8Array {
    this.refresh();
    return this.u8;
  }

  private refresh(): void {
    if (this.buffer !== this.memory.buffer) {
      this.buffer = this.memory.buffer;
      this.f32 = new Float32Array(this.buffer);
      this.u8 = new Uint8Array(this.buffer);
    }
  }

  get bytes(): number {
    return this.top;
  }
}

function abortFromWasm(): never {
  throw new Error('CPU WebAssembly kernel aborted');
}
