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
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Dataset, makeByteDataset } from './dataset.ts';
import { InflateLimitError, MAX_DEFLATE_RATIO, gunzipHead, inflateBounded } from '../format/bounded-inflate.ts';
import { type InputFile, openInputFile } from '../format/read-file.ts';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

export interface IdxArray {
  magic: number;
  dims: number[];
  data: Uint8Array;
}

/** What every malformed IDX input throws (truncated, wrong magic, sizes that do not add up, gzip bombs…). */
export class IdxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdxFormatError';
  }
}

/**
 * The largest IDX payload read (1 GiB): EMNIST's biggest file (byclass training images) is 547 MB unpacked.
 * Checked against the sizes a header declares, before reading or inflating the data.
 */
export const MAX_IDX_BYTES = 2 ** 30;

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

function describeMagic(m: number): string {
  if (m === IDX_IMAGES_MAGIC) return `${hex(m)} (IDX images)`;
  if (m === IDX_LABELS_MAGIC) return `${hex(m)} (IDX labels)`;
  if (m >>> 16 === 0x1f8b) return `${hex(m)} (gzip data that did not unpack)`;
  return hex(m);
}

/** Unpacks gzip if the bytes start with its magic; `file` only names the source in errors. */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  return gunzipIdx(bytes, gzipIdxCap(bytes, file), file);
}

const isGzip = (bytes: Uint8Array) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** The most dimensions read: images are count × rows × cols, labels count (the format itself allows 255). */
export const MAX_IDX_DIMS = 3;

/** The longest IDX header the format allows: magic and 255 dimensions (read whole, so a longer claim is named). */
const LONGEST_HEADER = 4 + 4 * 255;

/**
 * The most a gzipped IDX file (`packed`: all of it, or a prefix of `packedBytes`) may inflate to: what its
 * header declares, learnt by inflating only a short prefix (a bomb stops there). A stream too short to hold
 * a header gets the header's length as cap, so unpacking it says how it was cut.
 */
function gzipIdxCap(packed: Uint8Array, file: string, packedBytes = packed.length, expectedMagic?: number): number {
  let head: Uint8Array;
  try {
    head = gunzipHead(packed, LONGEST_HEADER);
  } catch (err) {
    throw new IdxFormatError(`${file}: looks gzipped (starts with 1f 8b) but does not unpack: ${(err as Error).message}`);
  }
  if (head.length < LONGEST_HEADER && !hasFullHeader(head)) return LONGEST_HEADER;
  return idxDeclaredBytes(head, file, packedBytes, expectedMagic);
}

/** Inflates a whole gzip stream to at most `cap` bytes, in one buffer of that size (see inflateBounded). */
function gunzipIdx(bytes: Uint8Array, cap: number, file: string): Uint8Array {
  try {
    return inflateBounded(bytes, cap, 'gzip');
  } catch (err) {
    if (err instanceof InflateLimitError) {
      throw new IdxFormatError(`${file}: gzip data inflates beyond the ${cap} bytes its IDX header declares; refusing to unpack more`);
    }
    throw new IdxFormatError(`${file}: looks gzipped (starts with 1f 8b) but does not unpack: ${(err as Error).message}`);
  }
}

function hasFullHeader(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0 && head[1] === 0 && head[3] > 0 && head.length >= 4 + 4 * head[3];
}

/**
 * The total size (header + data) an IDX header declares, checked against MAX_IDX_BYTES and, for `packedBytes`
 * of gzip, against the most those bytes could inflate to. Throws the same errors parseIdx would for a bad
 * or short header, so a file is judged by what it claims before its data is read or inflated.
 */
export function idxDeclaredBytes(head: Uint8Array, file: string, packedBytes?: number, expectedMagic?: number): number {
  const { dims, headerBytes } = parseIdxHeader(head, file, expectedMagic);
  const total = headerBytes + dims.reduce((x, y) => x * y, 1);
  if (total > MAX_IDX_BYTES) {
    throw new IdxFormatError(`${file}: IDX dimensions ${dims.join('×')} declare ${total} bytes, above the ${MAX_IDX_BYTES}-byte (1 GiB) limit for an IDX file`);
  }
  if (packedBytes !== undefined && total > packedBytes * MAX_DEFLATE_RATIO) {
    throw new IdxFormatError(`${file}: IDX dimensions ${dims.join('×')} declare ${total} bytes, more than ${packedBytes} bytes of gzip can hold (at most ${MAX_DEFLATE_RATIO}× as much)`);
  }
  return total;
}

/**
 * Parses an IDX byte array (already unpacked) of unsigned bytes. With `expectedMagic`, a file of the other
 * kind (labels given where images belong) is rejected by name, the most common mix-up.
 */
export function parseIdx(bytes: Uint8Array, file = '<bytes>', expectedMagic?: number): IdxArray {
  const { magic, dims, headerBytes } = parseIdxHeader(bytes, file, expectedMagic);
  const expected = checkIdxLength(dims, headerBytes, bytes.length, file);
  return { magic, dims, data: bytes.subarray(headerBytes, expected) };
}

/** The magic and dimensions from the start of an IDX file (`bytes` may hold just the header). */
export function parseIdxHeader(bytes: Uint8Array, file: string, expectedMagic?: number): { magic: number; dims: number[]; headerBytes: number } {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`parseIdx: bytes must be a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  if (bytes.length < 4) throw new IdxFormatError(`${file}: truncated IDX file: expected at least a 4-byte header, got ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (expectedMagic !== undefined && magic !== expectedMagic) {
    throw new IdxFormatError(`${file}: wrong magic number: found ${describeMagic(magic)}, expected ${describeMagic(expectedMagic)}`);
  }
  const type = bytes[2];
  const ndims = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || ndims === 0) {
    throw new IdxFormatError(`${file}: not an IDX file: magic ${describeMagic(magic)} should be 0x000008NN with NN ≥ 1 dimensions`);
  }
  if (type !== 0x08) {
    throw new IdxFormatError(`${file}: IDX element type 0x${type.toString(16).padStart(2, '0')} is not supported (only 0x08, unsigned byte)`);
  }
  // The format allows 255 dimensions; images have 3 and labels 1, and a header of 255 huge sizes would
  // otherwise reach the messages below as a 2,900-character list
  if (ndims > MAX_IDX_DIMS) {
    throw new IdxFormatError(`${file}: IDX header declares ${ndims} dimensions; an IDX image file has 3 (count, rows, cols) and a label file 1 (count)`);
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new IdxFormatError(`${file}: truncated IDX file: expected a ${headerBytes}-byte header for ${ndims} dimensions, got ${bytes.length} bytes`);
  }
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  return { magic, dims, headerBytes };
}

/** The file length `dims` need; throws unless `length` is exactly that. */
function checkIdxLength(dims: number[], headerBytes: number, length: number, file: string): number {
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count;
  if (length < expected) {
    throw new IdxFormatError(`${file}: truncated IDX file: dimensions ${dims.join('×')} need ${expected} bytes, got ${length}`);
  }
  if (length > expected) {
    throw new IdxFormatError(`${file}: IDX file has ${length - expected} bytes after its data: dimensions ${dims.join('×')} need ${expected} bytes, got ${length}`);
  }
  return expected;
}

/**
 * Reads one IDX file, plain or gzipped, judging it by its header before anything the size of its data is
 * allocated: magic, dimensions, the 1 GiB limit and the file's real size (plain) or the most its compressed
 * bytes could hold (gzip) must all agree first.
 *
 * A plain file's payload is then read READ_CHUNK_BYTES at a time straight into the one array returned as
 * `data`: no buffer of the whole file, no second copy. A gzipped file is read whole (zlib's synchronous API
 * takes its input in one piece; a download is a fifth of its data or less) and inflates into one buffer
 * capped at the declared size, of which `data` is a view.
 */
export function readIdxFile(path: string, expectedMagic?: number): IdxArray {
  const f = openInputFile(path, 'IDX file', MAX_IDX_BYTES);
  try {
    const head = f.read(0, LONGEST_HEADER);
    if (isGzip(head)) return readGzipIdx(f, path, expectedMagic);
    const { magic, dims, headerBytes } = parseIdxHeader(head, path, expectedMagic);
    idxDeclaredBytes(head, path, undefined, expectedMagic);
    const end = checkIdxLength(dims, headerBytes, f.size, path);
    const data = new Uint8Array(end - headerBytes);
    const got = f.readInto(headerBytes, data);
    // the size was checked by fstat; a file cut while being read is still a truncated file
    if (got < data.length) throw new IdxFormatError(`${path}: truncated IDX file: dimensions ${dims.join('×')} need ${end} bytes, got ${headerBytes + got} (the file shrank while being read)`);
    return { magic, dims, data };
  } finally {
    f.close();
  }
}

/**
 * The dimensions an IDX file declares, judged against the file before anyone derives a shape from them:
 * magic, the 1 GiB limit, and the file's real size (plain: exactly header + data; gzip: no more than its
 * bytes can inflate to). Reads only the header (inflating only a prefix, if gzipped). `deltagpu train`
 * sizes its network from this before loading the data, so a header that lies is blamed, not --layers.
 */
export function readIdxDims(path: string, expectedMagic?: number): number[] {
  const f = openInputFile(path, 'IDX file', MAX_IDX_BYTES);
  try {
    const head = f.read(0, isGzip(f.read(0, 2)) ? GZIP_HEAD_PREFIX : LONGEST_HEADER);
    if (isGzip(head)) {
      gzipIdxCap(head, path, f.size, expectedMagic);
      const bytes = gunzipHead(head, LONGEST_HEADER);
      return parseIdxHeader(bytes, path, expectedMagic).dims;
    }
    const { dims, headerBytes } = parseIdxHeader(head, path, expectedMagic);
    idxDeclaredBytes(head, path, undefined, expectedMagic);
    checkIdxLength(dims, headerBytes, f.size, path);
    return dims;
  } finally {
    f.close();
  }
}

/**
 * The gzip branch of readIdxFile. The header comes from inflating a prefix of the file (GZIP_HEAD_PREFIX),
 * and a file larger than any gzip of the declared data could be is refused before the rest is read.
 */
function readGzipIdx(f: InputFile, path: string, expectedMagic?: number): IdxArray {
  const prefix = f.read(0, GZIP_HEAD_PREFIX);
  if (prefix.length < f.size && headTooShort(prefix)) {
    throw new IdxFormatError(`${path}: gzip data gives no whole IDX header from its first ${prefix.length} bytes (a gzip header's own fields that long are not supported)`);
  }
  const cap = gzipIdxCap(prefix, path, f.size, expectedMagic);
  // stored (uncompressed) DEFLATE blocks add 5 bytes per 65,535, gzip 18 bytes plus optional name fields
  // (1 MiB allowed for those and for further members)
  const most = cap + Math.ceil(cap / 1000) + 2 ** 20;
  if (f.size > most) {
    throw new IdxFormatError(`${path}: gzip file has ${f.size} bytes, more than the ${most} any gzip of the ${cap} bytes its IDX header declares needs`);
  }
  const packed = prefix.length === f.size ? prefix : new Uint8Array(f.size);
  if (packed !== prefix) {
    packed.set(prefix);
    f.readInto(prefix.length, packed.subarray(prefix.length));
  }
  return parseIdx(gunzipIdx(packed, cap, path), path, expectedMagic);
}

/**
 * How much of a gzipped file is inflated to find the IDX header: a real file's gzip header (name, comment) is
 * tens of bytes, and a prefix this short bounds what a hostile one can inflate to on the way (64 MiB at most).
 */
const GZIP_HEAD_PREFIX = 64 * 1024;

/** Whether `prefix` of a gzip stream unpacks to less than a whole IDX header (false if it does not unpack: gzipIdxCap says why). */
function headTooShort(prefix: Uint8Array): boolean {
  try {
    const head = gunzipHead(prefix, LONGEST_HEADER);
    return head.length < LONGEST_HEADER && !hasFullHeader(head);
  } catch {
    return false;
  }
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
  if (n === 0) throw new IdxFormatError(`${imagesName}: has 0 images, expected at least 1`);
  if (height === 0 || width === 0) throw new IdxFormatError(`${imagesName}: images are ${height}×${width} pixels, expected at least 1×1`);
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
