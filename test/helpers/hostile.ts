/**
 * Builders for hostile input files (issue 10): PNGs with hand-made chunks, gzip bombs, model files whose
 * metadata and tensors disagree. Shared by test/bad-input-files.test.ts and the fuzz child process.
 */
import { deflateSync, gzipSync } from 'node:zlib';
import { pngChunk } from '../../src/data/png.ts';
import { encodeIdx } from '../../src/data/idx.ts';
import { encodeSafetensors } from '../../src/format/safetensors.ts';
import type { Tensors } from '../../src/format/safetensors.ts';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** One PNG chunk with a correct CRC (so the reader gets past the CRC check to the part under test). */
export { pngChunk };

export function ihdr(width: number, height: number, colorType = 0, depth = 8): Uint8Array {
  const b = new Uint8Array(13);
  const v = new DataView(b.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  b.set([depth, colorType, 0, 0, 0], 8);
  return b;
}

export function pngFile(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(8 + chunks.reduce((n, c) => n + c.length, 0));
  out.set(SIGNATURE);
  let at = 8;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/** A 28×28 grayscale PNG whose IDAT inflates to `mib` MiB of zeros instead of 812 bytes. */
export function pngBomb(mib: number): Uint8Array {
  return pngFile([pngChunk('IHDR', ihdr(28, 28)), pngChunk('IDAT', new Uint8Array(deflateSync(new Uint8Array(mib * 2 ** 20), { level: 9 }))), pngChunk('IEND', new Uint8Array(0))]);
}

/**
 * A gzipped IDX file whose header declares one 28×28 image (800 bytes) but which inflates to `mib` MiB more:
 * the header as one gzip member, then `mib` members of 1 MiB of zeros (gunzip reads concatenated members),
 * so building it never holds the whole payload.
 */
export function idxGzipBomb(mib: number): Uint8Array {
  const head = gzipSync(encodeIdx([1, 28, 28], new Uint8Array(784)));
  const zeros = gzipSync(new Uint8Array(2 ** 20), { level: 9 });
  const out = new Uint8Array(head.length + mib * zeros.length);
  out.set(head);
  for (let i = 0; i < mib; i++) out.set(zeros, head.length + i * zeros.length);
  return out;
}

export interface SavedLayerJson {
  inputs: unknown;
  units: unknown;
  activation: unknown;
  bias: unknown;
  alpha: unknown;
}

/** Model file bytes with the given architecture metadata (any JSON text) and tensors. */
export function modelFile(architecture: SavedLayerJson[] | string, tensors: Tensors, extra: Record<string, string> = {}): Uint8Array {
  return encodeSafetensors(tensors, {
    format: 'deltagpu-model/1',
    architecture: typeof architecture === 'string' ? architecture : JSON.stringify(architecture),
    seed: '1',
    ...extra,
  });
}

export const f32 = (shape: number[]) => ({ dtype: 'F32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.1) });

/** A valid 2 → 3 → 1 model's architecture and tensors, to be spoiled one way per test. */
export function smallModel(): { architecture: SavedLayerJson[]; tensors: Tensors } {
  return {
    architecture: [
      { inputs: 2, units: 3, activation: 'tanh', bias: true, alpha: 0.2 },
      { inputs: 3, units: 1, activation: 'sigmoid', bias: true, alpha: 0.2 },
    ],
    tensors: { 'layers.0.weight': f32([3, 2]), 'layers.0.bias': f32([3]), 'layers.1.weight': f32([1, 3]), 'layers.1.bias': f32([1]) },
  };
}

/** The example: a few hundred bytes declaring 784 → 2,000,000 units, with a 1×1 weight. */
export function hugeDeclaredModel(): Uint8Array {
  return modelFile([{ inputs: 784, units: 2_000_000, activation: 'softmax', bias: false, alpha: 0.2 }], { 'layers.0.weight': f32([1, 1]) });
}

/** A valid model with an rbf first layer (2 inputs, 3 centres) → dense 3 → 1, to be spoiled one way per test. */
export function rbfModel(): { architecture: SavedLayerJson[]; tensors: Tensors; rbf: Record<string, unknown> } {
  return {
    architecture: [{ inputs: 3, units: 1, activation: 'sigmoid', bias: true, alpha: 0.2 }],
    tensors: { 'rbf.centers': f32([3, 2]), 'rbf.sigma': f32([3]), 'layers.0.weight': f32([1, 3]), 'layers.0.bias': f32([1]) },
    rbf: { inputs: 2, units: 3, basis: 'gaussian' },
  };
}
