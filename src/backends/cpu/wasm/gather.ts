/**
 * The WebAssembly session's batch gather: the patterns order[start…start+rows) of a CpuDataset into the
 * batch's x (and their targets into d), all in the module's memory.
 *
 * 8-bit pixels are not widened in JavaScript (a table lookup per pixel, about three times the cost of the
 * float32 path's row copies): each byte row is copied as it is into a byte scratch region (a memcpy), then
 * widenUnorm8 (unorm8.as.ts) turns the whole batch into floats with SIMD, giving bit for bit the UNORM8
 * values the float32 path and the other backends use. Class indices become one-hot rows by zeroing the
 * batch's targets once and setting one 1 a row.
 */
import { isByteMatrix, isClassIndices, inputRow, targetRow } from '../../upload.ts';
import type { CpuDataset } from '../dataset.ts';
import type { Arena, Region } from './memory.ts';

/** Where a batch goes: x and d (float32) and the byte scratch for 8-bit rows (at least rows × inputs bytes). */
export interface BatchRegions {
  x: Region;
  xBytes: Region;
  d: Region;
}

export function gatherWasmBatch(arena: Arena, to: BatchRegions, data: CpuDataset, order: ArrayLike<number>, start: number, rows: number): void {
  const { inputs, outputs } = data;
  const x = data.x;
  if (isByteMatrix(x)) {
    const memory = arena.byteView();
    const src = x.bytes;
    const base = to.xBytes.ptr;
    for (let r = 0; r < rows; r++) {
      const p = order[start + r] * inputs;
      memory.set(src.subarray(p, p + inputs), base + r * inputs);
    }
    arena.kernels.widenUnorm8(base, to.x.ptr, rows * inputs);
  } else {
    const xs = arena.view(to.x);
    for (let r = 0; r < rows; r++) inputRow(x, order[start + r], xs, r * inputs);
  }
  const y = data.y;
  if (!y) return;
  const d = arena.view(to.d);
  if (isClassIndices(y)) {
    d.fill(0, 0, rows * outputs);
    for (let r = 0; r < rows; r++) d[r * outputs + y.indices[order[start + r]]] = 1;
  } else {
    for (let r = 0; r < rows; r++) targetRow(y, order[start + r], d, r * outputs, outputs);
  }
}
