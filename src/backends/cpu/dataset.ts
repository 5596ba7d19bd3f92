/**
 * A data set uploaded to a CPU session (both the plain-TypeScript and the WebAssembly kernels): float32 rows
 * are copied once, so later changes by the caller cannot reach it; 8-bit pixels and class indices are kept as
 * they are and widened per batch through the same UNORM8 table the GPU's gather uses, so the 8-bit path costs
 * 1 byte a pixel here too and gives exactly the floats of the float32 path. (The WebAssembly session gathers
 * with wasm/gather.ts instead, which widens in SIMD to the same values; gatherBatch serves the TypeScript kernels.)
 */
import type { DatasetHandle, UploadInputs, UploadTargets } from '../../backend.ts';
import type { Floats } from '../../tensor.ts';
import { checkUpload, inputRow, isByteMatrix, isClassIndices, targetRow } from '../upload.ts';

export class CpuDataset implements DatasetHandle {
  constructor(
    readonly x: UploadInputs,
    readonly y: UploadTargets | null,
    readonly rows: number,
    readonly inputs: number,
    readonly outputs: number,
  ) {}
  dispose(): void {}
}

/** Checks x (and y) against the network's inputs and outputs, then keeps them as a CpuDataset. */
export function uploadCpuDataset(x: UploadInputs, y: UploadTargets | undefined, inputs: number, outputs: number): CpuDataset {
  checkUpload(x, y, inputs, outputs, 'cpu upload');
  const xs: UploadInputs = isByteMatrix(x) ? x : { data: Float32Array.from(x.data), rows: x.rows, cols: x.cols };
  const ys: UploadTargets | null = !y ? null : isClassIndices(y) ? y : { data: Float32Array.from(y.data), rows: y.rows, cols: y.cols };
  return new CpuDataset(xs, ys, x.rows, x.cols, outputs);
}

/** Copies the patterns order[start…start+rows) into the batch arrays x (and d, when the data has targets). */
export function gatherBatch(x: Floats, d: Floats, data: CpuDataset, order: ArrayLike<number>, start: number, rows: number): void {
  const { inputs, outputs } = data;
  for (let r = 0; r < rows; r++) {
    const p = order[start + r];
    inputRow(data.x, p, x, r * inputs);
    if (data.y) targetRow(data.y, p, d, r * outputs, outputs);
  }
}
