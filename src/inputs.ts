/**
 * What Sequential.fit/evaluate/predict accept beyond nested arrays and float32 matrices: 8-bit pixels
 * ({bytes, rows, cols}) and class indices ({indices, classes}), passed to the backend as they are so a data
 * set of bytes is never widened to float32 on the host (src/backend.ts: ByteMatrix, ClassIndices). The checks
 * here run before anything is uploaded, with the same messages as for matrices.
 */
import type { ByteMatrix, ClassIndices, UploadInputs, UploadTargets } from './backend.ts';
import { inputRow, isByteMatrix, isClassIndices } from './backends/upload.ts';
import { takeRows, toMatrix } from './tensor.ts';
import type { Matrix, MatrixLike } from './tensor.ts';
import { checkShapes } from './validate.ts';

export type InputsLike = MatrixLike | ByteMatrix;
export type TargetsLike = MatrixLike | ClassIndices;

// anything else (null, a number, nested arrays) goes to toMatrix, whose message names what it got
const isBytesLike = (x: InputsLike): x is ByteMatrix => typeof x === 'object' && x !== null && !Array.isArray(x) && isByteMatrix(x as UploadInputs);
const isIndicesLike = (y: TargetsLike): y is ClassIndices => typeof y === 'object' && y !== null && !Array.isArray(y) && isClassIndices(y as UploadTargets);

export function toInputs(x: InputsLike, what: string): UploadInputs {
  if (!isBytesLike(x)) return toMatrix(x, what);
  if (!(x.bytes instanceof Uint8Array) || !Number.isInteger(x.rows) || !Number.isInteger(x.cols)) {
    throw new TypeError(`${what} must be {bytes: Uint8Array, rows, cols} for 8-bit pixels`);
  }
  if (x.bytes.length !== x.rows * x.cols) {
    throw new RangeError(`${what}: bytes has ${x.bytes.length} values but rows×cols = ${x.rows}×${x.cols} = ${x.rows * x.cols}`);
  }
  return x;
}

export function toTargets(y: TargetsLike, what: string): UploadTargets {
  if (!isIndicesLike(y)) return toMatrix(y, what);
  if (!(y.indices instanceof Uint8Array || y.indices instanceof Uint16Array || y.indices instanceof Uint32Array)) {
    throw new TypeError(`${what}.indices must be a Uint8Array, Uint16Array or Uint32Array of class indices`);
  }
  return y;
}

/** checkShapes for every form: columns, rows, finite floats, class indices in range. */
export function checkData(x: UploadInputs, y: UploadTargets | null, inputs: number, outputs: number, what = 'x'): void {
  if (!isByteMatrix(x) && (!y || !isClassIndices(y))) return checkShapes(x, y, inputs, outputs, what);
  if (x.rows === 0) throw new RangeError(`${what} is empty: the data set needs at least one pattern`);
  if (x.cols !== inputs) throw new RangeError(`${what} has ${x.cols} columns but the first layer expects ${inputs} inputs`);
  if (!isByteMatrix(x)) checkShapes(x, null, inputs, outputs, what);
  if (!y) return;
  const yWhat = what === 'x' ? 'y' : `${what} targets`;
  if (!isClassIndices(y)) return checkShapes({ data: new Float32Array(0), rows: x.rows, cols: inputs }, y, inputs, outputs, what);
  if (y.classes !== outputs) throw new RangeError(`${yWhat} has ${y.classes} classes but the last layer has ${outputs} outputs`);
  if (y.indices.length !== x.rows) throw new RangeError(`${what} has ${x.rows} rows but ${yWhat} has ${y.indices.length} class indices`);
  for (let i = 0; i < y.indices.length; i++) {
    if (y.indices[i] >= outputs) throw new RangeError(`${yWhat}: class index ${y.indices[i]} at row ${i} is out of range for ${outputs} classes`);
  }
}

/** Rows `indices` of x, in that order, in x's own form. */
export function takeInputRows(x: UploadInputs, indices: ArrayLike<number>): UploadInputs {
  if (!isByteMatrix(x)) return takeRows(x, indices);
  const bytes = new Uint8Array(indices.length * x.cols);
  for (let i = 0; i < indices.length; i++) bytes.set(x.bytes.subarray(indices[i] * x.cols, (indices[i] + 1) * x.cols), i * x.cols);
  return { bytes, rows: indices.length, cols: x.cols };
}

export function takeTargetRows(y: UploadTargets, indices: ArrayLike<number>): UploadTargets {
  if (!isClassIndices(y)) return takeRows(y, indices);
  const out = new (y.indices.constructor as Uint32ArrayConstructor)(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = y.indices[indices[i]];
  return { indices: out, classes: y.classes };
}

/** x as float32 rows (bytes widened as b/255, exactly as the backends' gather does), for host-side layers. */
export function asFloatMatrix(x: UploadInputs): Matrix {
  if (!isByteMatrix(x)) return x;
  const data = new Float32Array(x.rows * x.cols);
  for (let p = 0; p < x.rows; p++) inputRow(x, p, data, p * x.cols);
  return { data, rows: x.rows, cols: x.cols };
}
