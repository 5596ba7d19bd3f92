/**
 * What both backends need to take a data set in its own width (src/backend.ts: ByteMatrix, ClassIndices):
 * the checks `upload` runs before anything is allocated, the one table that turns a byte into [0, 1], and
 * the host-side row copies the CPU gather and the GPU's chunk streaming share.
 *
 * Why a table and not b/255 in each kernel: WGSL division is only accurate to 2.5 ULP, so a shader that
 * divided could differ from the host's float32 b/255 in the last bit. A 256-entry table computed here once
 * and read by both backends makes the 8-bit path equal to the float32 path by construction.
 */
import type { ByteMatrix, ClassIndices, UploadInputs, UploadTargets } from '../backend.ts';

/** UNORM8[b] = float32(b / 255): the value every backend uses for an 8-bit pixel b. */
export const UNORM8: Float32Array = Float32Array.from({ length: 256 }, (_, b) => b / 255);

export function isByteMatrix(x: UploadInputs): x is ByteMatrix {
  return (x as ByteMatrix).bytes !== undefined;
}

export function isClassIndices(y: UploadTargets): y is ClassIndices {
  return (y as ClassIndices).indices !== undefined;
}

const INDEX_ARRAYS = [Uint8Array, Uint16Array, Uint32Array];

/**
 * Checks x and y against the network's `inputs` and `outputs` (the last layer's units); `who` names the
 * caller in errors ("webgpu upload"). Every label is checked, so a bad one fails here rather than as a
 * silent zero target on the GPU.
 */
export function checkUpload(x: UploadInputs, y: UploadTargets | undefined, inputs: number, outputs: number, who: string): void {
  const values = isByteMatrix(x) ? x.bytes : x.data;
  if (isByteMatrix(x) ? !(x.bytes instanceof Uint8Array) : !(x.data instanceof Float32Array)) {
    throw new TypeError(`${who}: x must be {data: Float32Array, rows, cols} or {bytes: Uint8Array, rows, cols}`);
  }
  if (!Number.isInteger(x.rows) || x.rows < 0 || values.length !== x.rows * x.cols) {
    throw new RangeError(`${who}: x has ${values.length} values but rows×cols = ${x.rows}×${x.cols}`);
  }
  if (x.cols !== inputs) throw new RangeError(`${who}: x has ${x.cols} columns, the network takes ${inputs} inputs`);
  if (!y) return;
  if (isClassIndices(y)) {
    if (!INDEX_ARRAYS.some((T) => y.indices instanceof T)) throw new TypeError(`${who}: y.indices must be a Uint8Array, Uint16Array or Uint32Array`);
    if (y.classes !== outputs) throw new RangeError(`${who}: y has ${y.classes} classes, the network has ${outputs} outputs`);
    if (y.indices.length !== x.rows) throw new RangeError(`${who}: y has ${y.indices.length} class indices for ${x.rows} rows of x`);
    for (let i = 0; i < y.indices.length; i++) {
      if (y.indices[i] >= y.classes) {
        throw new RangeError(`${who}: class index ${y.indices[i]} at row ${i} is out of range for ${y.classes} classes (expected 0..${y.classes - 1})`);
      }
    }
  } else {
    if (!(y.data instanceof Float32Array) || y.data.length !== y.rows * y.cols) {
      throw new RangeError(`${who}: y must be a {data: Float32Array, rows, cols} matrix with rows×cols values`);
    }
    if (y.cols !== outputs || y.rows !== x.rows) throw new RangeError(`${who}: y is ${y.rows}×${y.cols}, expected ${x.rows}×${outputs}`);
  }
}

/** Writes row `p` of x as floats to dst[off…off+cols): a copy, or the UNORM8 lookup for bytes. */
export function inputRow(x: UploadInputs, p: number, dst: Float32Array | Float64Array, off: number): void {
  const c = x.cols;
  if (isByteMatrix(x)) {
    const src = x.bytes;
    for (let i = 0, s = p * c; i < c; i++) dst[off + i] = UNORM8[src[s + i]];
  } else {
    dst.set(x.data.subarray(p * c, (p + 1) * c), off);
  }
}

/** Writes row `p` of the targets to dst[off…off+outputs): a copy, or a one-hot row for a class index. */
export function targetRow(y: UploadTargets, p: number, dst: Float32Array | Float64Array, off: number, outputs: number): void {
  if (isClassIndices(y)) {
    dst.fill(0, off, off + outputs);
    dst[off + y.indices[p]] = 1;
  } else {
    dst.set(y.data.subarray(p * outputs, (p + 1) * outputs), off);
  }
}
