import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Random } from '../src/random.ts';
import {
  decodeSafetensors, encodeSafetensors, type Tensors,
} from '../src/format/safetensors.ts';
import { loadSafetensors, saveSafetensors } from '../src/format/safetensors-file.ts';
import { requirePython, SAFETENSORS_CHECK } from './helpers/python.ts';

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-st-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function randomTensors(seed: number): Tensors {
  const rng = new Random(seed);
  const make = (shape: number[]) => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = rng.normal() * 3;
    return { dtype: 'F32' as const, shape, data };
  };
  const t: Tensors = { 'layers.0.weight': make([128, 784]), 'layers.0.bias': make([128]), 'layers.1.weight': make([10, 128]), 'layers.1.bias': make([10]) };
  // Values that a lossy or text round trip would change.
  t['layers.1.bias'].data.set([Math.fround(1e-38), -0, Math.fround(Math.PI), 3.4028234663852886e38]);
  return t;
}

const metadata = { format: 'pt', architecture: JSON.stringify({ layers: [784, 128, 10], activation: 'relu' }), note: 'ünïcödé ✓' };

/** Builds a file from a header object and a data section, for the corruption tests. */
function rawFile(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('round-trips tensors bit for bit, with metadata and an 8-aligned data section', () => {
    const t = randomTensors(1);
    const bytes = encodeSafetensors(t, metadata);
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLen % 8).toBe(0);
    expect(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)))['__metadata__']).toEqual(metadata);
    // Decode from an unaligned copy: the reader must not assume the buffer is 4-aligned.
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    const back = decodeSafetensors(shifted);
    expect(back.metadata).toEqual(metadata);
    expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(t).sort());
    for (const [name, x] of Object.entries(t)) {
      expect(back.tensors[name].shape).toEqual(x.shape);
      expect(Buffer.compare(Buffer.from(back.tensors[name].data.buffer), Buffer.from(x.data.buffer))).toBe(0);
    }
    expect(Object.is(back.tensors['layers.1.bias'].data[1], -0)).toBe(true);
  });

  it('saves atomically and loads from disk', () => {
    const p = join(dir, 'model.safetensors');
    const t = randomTensors(2);
    saveSafetensors(p, t, { a: 'b' });
    const back = loadSafetensors(p);
    expect(back.metadata).toEqual({ a: 'b' });
    expect(Array.from(back.tensors['layers.0.bias'].data)).toEqual(Array.from(t['layers.0.bias'].data));
    expect(() => loadSafetensors(join(dir, 'missing.safetensors'))).toThrow(/cannot read model file .*missing\.safetensors/);
  });

  it('handles empty metadata, scalars and zero-size tensors', () => {
    const t: Tensors = { s: { dtype: 'F32', shape: [], data: new Float32Array([5]) }, z: { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) } };
    const back = decodeSafetensors(encodeSafetensors(t, {}));
    expect(back.metadata).toEqual({});
    expect(back.tensors.s.shape).toEqual([]);
    expect(Array.from(back.tensors.s.data)).toEqual([5]);
    expect(back.tensors.z.data.length).toBe(0);
  });

  it('refuses to encode inconsistent tensors', () => {
    expect(() => encodeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } }, {})).toThrow(/shape \[2, 2\] holds 4 values but data has 3/);
    expect(() => encodeSafetensors({}, { n: 3 as unknown as string })).toThrow(/metadata value for 'n' must be a string/);
  });

  it('opens in an independent Python reader (standard library only) with the same names, shapes and sums', (ctx) => {
    requirePython(ctx, 'io-safetensors');
    const p = join(dir, 'for-python.safetensors');
    const t = randomTensors(3);
    saveSafetensors(p, t, metadata);
    const script = SAFETENSORS_CHECK;
    const out = JSON.parse(execFileSync('python3', [script, p], { encoding: 'utf8' })) as {
      metadata: Record<string, string>; tensors: Record<string, { shape: number[]; sum: number; first: number[] }>;
    };
    expect(out.metadata).toEqual(metadata);
    expect(Object.keys(out.tensors).sort()).toEqual(Object.keys(t).sort());
    for (const [name, x] of Object.entries(t)) {
      let sum = 0;
      for (const v of x.data) sum += v;
      expect(out.tensors[name].shape).toEqual(x.shape);
      expect(out.tensors[name].sum).toBe(sum);
      expect(out.tensors[name].first).toEqual(Array.from(x.data.subarray(0, 4)));
    }
    // And the Python reader really checks: a file with a hole must make it fail.
    const bad = join(dir, 'hole.safetensors');
    writeFileSync(bad, rawFile({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)));
    expect(spawnSync('python3', [script, bad]).status).not.toBe(0);
  });

  describe('rejects corrupt files with a clear error', () => {
    const f32 = (n: number) => new Uint8Array(n * 4);
    const cases: [string, Uint8Array, RegExp][] = [
      ['too short', new Uint8Array(5), /5 bytes is too short/],
      ['header length beyond file', (() => { const b = rawFile({}, f32(0)); new DataView(b.buffer).setUint32(0, 1000, true); return b; })(), /header length 1000 goes beyond the end of the file/],
      ['huge header length (high word)', (() => { const b = rawFile({}, f32(0)); new DataView(b.buffer).setUint32(4, 1, true); return b; })(), /goes beyond the end of the file/],
      ['bad JSON', rawFile(null, f32(1), '{"w": {"dtype": "F32",'), /header is not valid UTF-8 JSON/],
      ['JSON array', rawFile([1, 2], f32(0)), /header is not a JSON object/],
      ['unsupported dtype', rawFile({ w: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, f32(1)), /tensor 'w' has dtype "F16"; only F32 is supported/],
      ['bad shape', rawFile({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1)), /tensor 'w' has shape \[-1\]/],
      ['offsets out of range', rawFile({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32(2)), /data_offsets \[0, 16\] outside the 8-byte data section/],
      ['reversed offsets', rawFile({ w: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, f32(2)), /data_offsets \[8, 4\] outside/],
      ['shape vs byte length', rawFile({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(2)), /shape \[3\] = 3 F32 values = 12 bytes, but its data_offsets span 8 bytes/],
      ['overlap', rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32(3)), /tensor 'b' \[4, 12\] overlaps 'a'/],
      ['hole', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(2)), /bytes 0\.\.4 of the data section belong to no tensor/],
      ['trailing bytes', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(2)), /has 8 bytes but the tensors cover only 4/],
      ['non-string metadata', rawFile({ __metadata__: { epochs: 3 } }, f32(0)), /__metadata__\.epochs must be a string/],
    ];
    for (const [what, bytes, re] of cases) {
      it(what, () => {
        expect(() => decodeSafetensors(bytes, 'bad.safetensors')).toThrow(re);
        expect(() => decodeSafetensors(bytes, 'bad.safetensors')).toThrow(/^bad\.safetensors: invalid safetensors file/);
      });
    }
    it('a truncated real file', () => {
      const p = join(dir, 'trunc.safetensors');
      const bytes = encodeSafetensors(randomTensors(4), metadata);
      writeFileSync(p, bytes.subarray(0, bytes.length - 100));
      expect(() => loadSafetensors(p)).toThrow(/trunc\.safetensors: invalid safetensors file: tensor '.*' has data_offsets .* outside/);
      expect(readFileSync(p).length).toBe(bytes.length - 100);
    });
  });
});
