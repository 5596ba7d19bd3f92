/**
 * The safetensors format (https://github.com/huggingface/safetensors), chosen for saved models so PyTorch,
 * JAX and friends can open them without running any of our code:
 *
 *   8 bytes   N, the header length, unsigned little-endian 64-bit
 *   N bytes   UTF-8 JSON: {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
 *             "__metadata__": {"key": "string value"}}, padded with spaces so the data starts 8-aligned
 *   rest      the tensors' bytes, little-endian; offsets are relative to the start of this region
 *
 * Only F32 is written or read: it is what the engine computes in. The reader checks everything the format's
 * own reference implementation checks (offsets in range, no overlaps, no holes), because a model file is
 * untrusted input. Pure (bytes in, bytes out) so the browser can use it; file I/O is in safetensors-file.ts.
 */

export interface F32Tensor {
  dtype: 'F32';
  shape: number[];
  data: Float32Array;
}

export type Tensors = Record<string, F32Tensor>;

export interface Safetensors {
  tensors: Tensors;
  metadata: Record<string, string>;
}

/** What every malformed safetensors input throws (bad lengths, offsets, dtypes, JSON…). */
export class SafetensorsFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsFormatError';
  }
}

const METADATA_KEY = '__metadata__';
/** The reference implementation's cap; a bigger "header" means a corrupt length field, not a real model. */
const MAX_HEADER = 100 * 1024 * 1024;
const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeSafetensors(tensors: Tensors, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TypeError(`metadata value for '${k}' must be a string, got ${typeof v} (JSON.stringify it)`);
    }
    header[METADATA_KEY] = metadata;
  }
  let offset = 0;
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) {
    if (name === METADATA_KEY) throw new Error(`'${METADATA_KEY}' is reserved and cannot name a tensor`);
    if (t.dtype !== 'F32') throw new Error(`tensor '${name}': dtype ${String(t.dtype)} is not supported (only F32)`);
    if (!(t.data instanceof Float32Array)) throw new TypeError(`tensor '${name}': data must be a Float32Array`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0) || n !== t.data.length) {
      throw new RangeError(`tensor '${name}': shape [${t.shape.join(', ')}] holds ${n} values but data has ${t.data.length}`);
    }
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + n * 4] };
    offset += n * 4;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, Math.floor(json.length / 2 ** 32), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, t] of entries) {
    if (littleEndianHost) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    } else {
      for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i], true);
    }
    at += t.data.byteLength;
  }
  return out;
}

/** Parses and validates a safetensors file; `file` only names the source in error messages. */
export function decodeSafetensors(bytes: Uint8Array, file = '<bytes>'): Safetensors {
  const fail = (msg: string): never => { throw new SafetensorsFormatError(`${file}: invalid safetensors file: ${msg}`); };
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`decodeSafetensors: bytes must be a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  if (bytes.length < 8) fail(`${bytes.length} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n > bytes.length - 8) fail(`header length ${n} goes beyond the end of the file (${bytes.length} bytes)`);
  if (n > MAX_HEADER) fail(`header length ${n} exceeds the ${MAX_HEADER}-byte limit`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    fail(`header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;

  const metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  const tensors: Tensors = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`${METADATA_KEY} must be an object of strings`);
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        // assigning '__proto__' on a plain object sets its prototype: the entry would vanish without a word
        if (k === '__proto__') fail(`${METADATA_KEY} key '__proto__' is not allowed`);
        if (typeof v !== 'string') fail(`${METADATA_KEY}.${k} must be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (name === '__proto__') fail("tensor name '__proto__' is not allowed");
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof info !== 'object' || info === null) fail(`tensor '${name}' is not described by an object`);
    if (info.dtype !== 'F32') fail(`tensor '${name}' has dtype ${JSON.stringify(info.dtype)}; only F32 is supported`);
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor '${name}' has shape ${JSON.stringify(shape)}, expected an array of non-negative integers`);
    }
    const offs = info.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`tensor '${name}' has data_offsets ${JSON.stringify(offs)}, expected [begin, end]`);
    }
    const [begin, end] = offs as [number, number];
    if (begin > end || end > dataLength) {
      fail(`tensor '${name}' has data_offsets [${begin}, ${end}] outside the ${dataLength}-byte data section`);
    }
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (count * 4 !== end - begin) {
      fail(`tensor '${name}' has shape [${(shape as number[]).join(', ')}] = ${count} F32 values = ${count * 4} bytes, but its data_offsets span ${end - begin} bytes`);
    }
    spans.push([begin, end, name]);
    // Copy: the caller's buffer may be unaligned for a Float32Array view, and models outlive file buffers.
    const copy = new Uint8Array(end - begin);
    copy.set(bytes.subarray(dataStart + begin, dataStart + end));
    let data: Float32Array;
    if (littleEndianHost) {
      data = new Float32Array(copy.buffer);
    } else {
      const dv = new DataView(copy.buffer);
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = dv.getFloat32(4 * i, true);
    }
    tensors[name] = { dtype: 'F32', shape: shape as number[], data };
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let covered = 0;
  for (const [begin, end, name] of spans) {
    if (begin < covered) {
      const prev = spans.find((s) => s[1] === covered && s[2] !== name)?.[2] ?? 'another tensor';
      fail(`tensor '${name}' [${begin}, ${end}] overlaps '${prev}' (which ends at ${covered})`);
    }
    if (begin > covered) fail(`bytes ${covered}..${begin} of the data section belong to no tensor`);
    covered = end;
  }
  if (covered !== dataLength) fail(`the data section has ${dataLength} bytes but the tensors cover only ${covered}`);
  return { tensors, metadata };
}
