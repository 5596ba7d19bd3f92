/**
 * The network's resident parameters: per layer W (as a matrix of weightShape's rows × ld(cols), zero-padded
 * rows: dense units × inputs, conv2d filters × C·KH·KW), b, and the optimizer state (momentum's velocity /
 * Adam's moments) for both, plus the hyper-parameter uniform. Layers without parameters (pooling, flatten,
 * dropout) get a 16-byte dummy W that no kernel reads. Sizes are checked for the whole network before the
 * first buffer is created.
 */
import { biasCount, hasParams, isDense } from '../../backend.ts';
import type { LayerOptimizerState, LayerParams, LayerSpec, NetworkSpec } from '../../backend.ts';
import { FLOAT, ld, pad, unpad } from './memory.ts';
import type { GpuMemory } from './memory.ts';

export interface LayerBuffers {
  W: GPUBuffer;
  /** null for a layer without bias */
  b: GPUBuffer | null;
  /** optimizer state; dummies (never touched by the kernels) where the optimizer keeps none */
  mW: GPUBuffer;
  vW: GPUBuffer;
  mb: GPUBuffer;
  vb: GPUBuffer;
}

/**
 * W as the kernels see it, rows × cols (each row padded to ld(cols)): dense [units, inputs], conv2d
 * [filters, C·KH·KW] (PyTorch's [F, C, KH, KW] with one filter per row), [0, 0] without parameters.
 */
export function weightShape(layer: LayerSpec): [number, number] {
  if (isDense(layer)) return [layer.units, layer.inputs];
  if (layer.kind === 'conv2d') return [layer.filters, layer.inShape[0] * layer.kernel[0] * layer.kernel[1]];
  return [0, 0];
}

const weightBytes = (l: LayerSpec) => {
  const [rows, cols] = weightShape(l);
  return rows * ld(cols) * FLOAT;
};

/** Throws BufferLimitError naming the first parameter buffer that cannot exist on this device. */
export function checkParamSizes(mem: GpuMemory, spec: NetworkSpec): void {
  spec.layers.forEach((layer, l) => {
    if (hasParams(layer)) mem.check(`layer ${l} weights W (${weightShape(layer).join('×')})`, weightBytes(layer));
  });
}

export function checkParams(spec: NetworkSpec, params: LayerParams[]): void {
  if (params.length !== spec.layers.length) {
    throw new RangeError(`webgpu: ${params.length} parameter sets for ${spec.layers.length} layers`);
  }
  spec.layers.forEach((layer, l) => {
    const p = params[l];
    const [rows, cols] = weightShape(layer);
    if (p.W.length !== rows * cols) {
      throw new RangeError(`webgpu: layer ${l} W has ${p.W.length} values, expected ${rows}×${cols}`);
    }
    if (p.b.length !== biasCount(layer)) {
      throw new RangeError(`webgpu: layer ${l} b has ${p.b.length} values, expected ${biasCount(layer)}`);
    }
  });
}

export class ParamBuffers {
  readonly layers: LayerBuffers[];
  readonly hyper: GPUBuffer;

  constructor(
    private readonly mem: GpuMemory,
    private readonly spec: NetworkSpec,
  ) {
    checkParamSizes(mem, spec);
    const type = spec.optimizer.type;
    const dummy = (what: string) => mem.storage(`unused ${what}`, 16);
    this.layers = spec.layers.map((layer, l) => {
      if (!hasParams(layer)) {
        return { W: dummy(`layer ${l} W (no parameters)`), b: null, mW: dummy(`layer ${l} m(W)`), vW: dummy(`layer ${l} v(W)`), mb: dummy(`layer ${l} m(b)`), vb: dummy(`layer ${l} v(b)`) };
      }
      const wb = weightBytes(layer);
      const bb = biasCount(layer) * FLOAT;
      return {
        W: mem.storage(`layer ${l} weights W`, wb),
        b: layer.bias ? mem.storage(`layer ${l} bias b`, bb) : null,
        mW: type === 'sgd' ? dummy(`layer ${l} m(W)`) : mem.storage(`layer ${l} ${type} state m(W)`, wb),
        vW: type === 'adam' ? mem.storage(`layer ${l} adam state v(W)`, wb) : dummy(`layer ${l} v(W)`),
        mb: type !== 'sgd' && layer.bias ? mem.storage(`layer ${l} ${type} state m(b)`, bb) : dummy(`layer ${l} m(b)`),
        vb: type === 'adam' && layer.bias ? mem.storage(`layer ${l} adam state v(b)`, bb) : dummy(`layer ${l} v(b)`),
      };
    });
    const o = spec.optimizer;
    this.hyper = mem.uniform('optimizer hyper-parameters', new Float32Array([o.learningRate, o.momentum, o.beta1, o.beta2, o.epsilon, o.l2, 0, 0]));
  }

  /** Writes parameters and zeroes the optimizer state (encoded clears run before the next submit's work). */
  write(params: LayerParams[]): void {
    checkParams(this.spec, params);
    const q = this.mem.device.queue;
    const enc = this.mem.device.createCommandEncoder({ label: 'reset optimizer state' });
    this.spec.layers.forEach((layer, l) => {
      const p = params[l];
      const buf = this.layers[l];
      if (!hasParams(layer)) return;
      const W = pad(p.W, ...weightShape(layer));
      q.writeBuffer(buf.W, 0, W.buffer, W.byteOffset, W.byteLength);
      if (buf.b) q.writeBuffer(buf.b, 0, p.b.buffer, p.b.byteOffset, p.b.byteLength);
      for (const s of [buf.mW, buf.vW, buf.mb, buf.vb]) enc.clearBuffer(s);
    });
    q.submit([enc.finish()]);
  }

  /** Reads every W and b with one copy and one map. */
  async read(): Promise<LayerParams[]> {
    const parts: { buffer: GPUBuffer; bytes: number }[] = [];
    this.spec.layers.forEach((layer, l) => {
      if (!hasParams(layer)) return;
      parts.push({ buffer: this.layers[l].W, bytes: weightBytes(layer) });
      if (this.layers[l].b) parts.push({ buffer: this.layers[l].b!, bytes: biasCount(layer) * FLOAT });
    });
    const arrays = await this.mem.readMany(parts);
    let k = 0;
    return this.spec.layers.map((layer) => {
      if (!hasParams(layer)) return { W: new Float32Array(0), b: new Float32Array(0) };
      const W = unpad(arrays[k++], ...weightShape(layer));
      const b = layer.bias ? arrays[k++] : new Float32Array(0);
      return { W, b };
    });
  }

  /** Which optimizer-state tensors this optimizer keeps for a layer (the others are 16-byte dummies). */
  private stateParts(l: number): { key: keyof LayerOptimizerState; buffer: GPUBuffer; weight: boolean }[] {
    const type = this.spec.optimizer.type;
    const layer = this.spec.layers[l];
    const b = this.layers[l];
    const parts: { key: keyof LayerOptimizerState; buffer: GPUBuffer; weight: boolean }[] = [];
    if (!hasParams(layer)) return parts;
    if (type !== 'sgd') parts.push({ key: 'mW', buffer: b.mW, weight: true });
    if (type === 'adam') parts.push({ key: 'vW', buffer: b.vW, weight: true });
    if (type !== 'sgd' && layer.bias) parts.push({ key: 'mb', buffer: b.mb, weight: false });
    if (type === 'adam' && layer.bias) parts.push({ key: 'vb', buffer: b.vb, weight: false });
    return parts;
  }

  /** Reads every layer's optimizer state (one copy each, one map); empty arrays where none is kept. */
  async readState(): Promise<LayerOptimizerState[]> {
    const all = this.spec.layers.map((layer, l) => this.stateParts(l).map((p) => ({ ...p, layer })));
    const flat = all.flat();
    const arrays = await this.mem.readMany(flat.map((p) => ({ buffer: p.buffer, bytes: p.weight ? weightBytes(p.layer) : biasCount(p.layer) * FLOAT })));
    let k = 0;
    return all.map((parts) => {
      const s: LayerOptimizerState = { mW: new Float32Array(0), vW: new Float32Array(0), mb: new Float32Array(0), vb: new Float32Array(0) };
      for (const p of parts) {
        const raw = arrays[k++];
        s[p.key] = p.weight ? unpad(raw, ...weightShape(p.layer)) : raw.slice();
      }
      return s;
    });
  }

  /** Writes optimizer state read by readState (after write(), which zeroes it), checking every length. */
  writeState(states: LayerOptimizerState[]): void {
    if (states.length !== this.spec.layers.length) throw new RangeError(`webgpu setState: ${states.length} optimizer states for ${this.spec.layers.length} layers`);
    const q = this.mem.device.queue;
    this.spec.layers.forEach((layer, l) => {
      const parts = this.stateParts(l);
      for (const key of ['mW', 'vW', 'mb', 'vb'] as const) {
        const src = states[l][key];
        const part = parts.find((p) => p.key === key);
        const [rows, cols] = weightShape(layer);
        const want = part ? (part.weight ? rows * cols : biasCount(layer)) : 0;
        if (src.length !== want) throw new RangeError(`webgpu setState: layer ${l} ${key} has ${src.length} values, expected ${want}`);
        if (!part) continue;
        const data = part.weight ? pad(src, rows, cols) : src;
        q.writeBuffer(part.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
      }
    });
  }
}
