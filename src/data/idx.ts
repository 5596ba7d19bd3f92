/**
 * The IDX format of the original MNIST distribution (and Fashion-MNIST, KMNIST, EMNIST…):
 *   bytes 0-1  zero
 *   byte  2    element type (0x08 = unsigned byte, the only one these data sets use)
 *   byte  3    number of dimensions d
 *   then d big-endian u32 sizes, then the elements in row-major order.
 * Images are 0x00000803 (count, rows, cols), labels 0x00000801 (count).
 *
 * Files are accepted plain or gzipped (as downloaded), told apart by the gzip magic 1f 8b rather than by the
 * file name, because people rename and unpack files in every combination.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type Dataset, makeByteDataset } from './dataset.ts';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

export interface IdxArray {
  magic: number;
  dims: number[];
  data: Uint8Array;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

function describeMagic(m: number): string {
  if (m === IDX_IMAGES_MAGIC) return `${hex(m)} (IDX images)`;
  if (m === IDX_LABELS_MAGIC) return `${hex(m)} (IDX labels)`;
  if (m >>> 16 === 0x1f8b) return `${hex(m)} (gzip data that did not unpack)`;
  return hex(m);
}

/** Unpacks gzip if the bytes start with its magic; `file` only names the source in errors. */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return new Uint8Array(gunzipSync(bytes));
    } catch (err) {
      throw new Error(`${file}: looks gzipped (starts with 1f 8b) but does not unpack: ${(err as Error).message}`);
    }
  }
  return bytes;
}

/**
 * Parses an IDX byte array (already unpacked) of unsigned bytes. With `expectedMagic`, a file of the other
 * kind (labels given where images belong) is rejected by name, the most common mix-up.
 */
export function parseIdx(bytes: Uint8Array, file = '<bytes>', expectedMagic?: number): IdxArray {
  if (bytes.length < 4) throw new Error(`${file}: truncated IDX file: expected at least a 4-byte header, got ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (expectedMagic !== undefined && magic !== expectedMagic) {
    throw new Error(`${file}: wrong magic number: found ${describeMagic(magic)}, expected ${describeMagic(expectedMagic)}`);
  }
  const type = bytes[2];
  const ndims = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || ndims === 0) {
    throw new Error(`${file}: not an IDX file: magic ${describeMagic(magic)} should be 0x000008NN with NN ≥ 1 dimensions`);
  }
  if (type !== 0x08) {
    throw new Error(`${file}: IDX element type 0x${type.toString(16).padStart(2, '0')} is not supported (only 0x08, unsigned byte)`);
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new Error(`${file}: truncated IDX file: expected a ${headerBytes}-byte header for ${ndims} dimensions, got ${bytes.length} bytes`);
  }
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count;
  if (bytes.length < expected) {
    throw new Error(`${file}: truncated IDX file: dimensions ${dims.join('×')} need ${expected} bytes, got ${bytes.length}`);
  }
  if (bytes.length > expected) {
    throw new Error(`${file}: IDX file has ${bytes.length - expected} bytes after its data: dimensions ${dims.join('×')} need ${expected} bytes, got ${bytes.length}`);
  }
  return { magic, dims, data: bytes.subarray(headerBytes, expected) };
}

/** Reads and parses one IDX file, plain or gzipped. */
export function readIdxFile(path: string, expectedMagic?: number): IdxArray {
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read IDX file ${path}: ${(err as Error).message}`);
  }
  return parseIdx(maybeGunzip(raw, path), path, expectedMagic);
}

/** IDX bytes for unsigned-byte data of shape `dims`; gzipped if asked. For tests, and for exporting data sets. */
export function encodeIdx(dims: readonly number[], data: Uint8Array, options: { gzip?: boolean } = {}): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (dims.length < 1 || dims.length > 255) throw new RangeError(`IDX needs 1..255 dimensions, got ${dims.length}`);
  if (data.length !== count) throw new RangeError(`IDX data has ${data.length} bytes but dimensions ${dims.join('×')} need ${count}`);
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + count);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x00000800 | dims.length, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, header);
  return options.gzip ? new Uint8Array(gzipSync(out)) : out;
}

export interface IdxDatasetOptions {
  /** Number of classes (default 10); a label ≥ classes is an error, not silently a zero target. */
  classes?: number;
  /** Shown in the CLI banner; defaults to the image file's path. */
  source?: string;
}

/** A Dataset from an images file and a labels file, pixels kept as bytes (x: scaled from 0..255 to [0, 1] on demand). */
export function loadIdxFiles(imagesPath: string, labelsPath: string, options: IdxDatasetOptions = {}): Dataset {
  const images = readIdxFile(imagesPath, IDX_IMAGES_MAGIC);
  const labels = readIdxFile(labelsPath, IDX_LABELS_MAGIC);
  return idxToDataset(images, labels, { ...options, imagesName: imagesPath, labelsName: labelsPath });
}

/** The checks and conversion behind loadIdxFiles, usable on in-memory arrays. */
export function idxToDataset(
  images: IdxArray,
  labels: IdxArray,
  options: IdxDatasetOptions & { imagesName?: string; labelsName?: string } = {},
): Dataset {
  const imagesName = options.imagesName ?? 'images';
  const labelsName = options.labelsName ?? 'labels';
  const classes = options.classes ?? 10;
  if (images.dims.length !== 3) throw new Error(`${imagesName}: images need 3 dimensions (count, rows, cols), found ${images.dims.length}`);
  if (labels.dims.length !== 1) throw new Error(`${labelsName}: labels need 1 dimension (count), found ${labels.dims.length}`);
  const [n, height, width] = images.dims;
  if (labels.dims[0] !== n) {
    throw new Error(`label count does not match image count: ${labelsName} has ${labels.dims[0]} labels but ${imagesName} has ${n} images`);
  }
  for (let i = 0; i < n; i++) {
    if (labels.data[i] >= classes) {
      throw new Error(`${labelsName}: label ${labels.data[i]} at index ${i} is out of range for ${classes} classes (expected 0..${classes - 1})`);
    }
  }
  // The pixels stay the file's bytes (no float32 copy of the whole set: 4× less memory); the backends scale
  // them to [0, 1] per batch, and Dataset.x widens them only if someone reads it.
  return makeByteDataset({ bytes: images.data, rows: n, cols: width * height }, new Uint8Array(labels.data), {
    classes, width, height, source: options.source ?? imagesName,
  });
}

export type IdxSplit = 'train' | 'test';

const PREFIX: Record<IdxSplit, string> = { train: 'train', test: 't10k' };

/** The file names tried for a split, in order: canonical, then the dotted variant, each plain then gzipped. */
export function idxCandidates(split: IdxSplit, kind: 'images' | 'labels'): string[] {
  const p = PREFIX[split];
  const n = kind === 'images' ? 3 : 1;
  const names = [`${p}-${kind}-idx${n}-ubyte`, `${p}-${kind}.idx${n}-ubyte`];
  return names.flatMap((name) => [name, `${name}.gz`]);
}

/** The images and labels paths for a split in `dir`, or an error listing every name tried. */
export function findIdxFiles(dir: string, split: IdxSplit): { images: string; labels: string } {
  if (!existsSync(dir)) throw new Error(`data folder ${dir} does not exist`);
  const find = (kind: 'images' | 'labels') => {
    const tried = idxCandidates(split, kind);
    for (const name of tried) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
    throw new Error(`no ${split} ${kind} file in ${dir}: looked for ${tried.join(', ')}`);
  };
  return { images: find('images'), labels: find('labels') };
}

/** The train or test split of an MNIST-layout folder (MNIST, Fashion-MNIST, …). */
export function loadIdxFolder(dir: string, options: IdxDatasetOptions & { split: IdxSplit }): Dataset {
  const { images, labels } = findIdxFiles(dir, options.split);
  return loadIdxFiles(images, labels, { classes: options.classes, source: options.source ?? `${dir} (${options.split})` });
}
