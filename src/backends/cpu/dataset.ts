/** A data set uploaded to a CPU session: its patterns and targets, copied into typed arrays once. */
import type { DatasetHandle } from '../../backend.ts';
import type { Floats } from '../../tensor.ts';

export class CpuDataset implements DatasetHandle {
  constructor(
    readonly x: Floats,
    readonly y: Floats | null,
    readonly rows: number,
    readonly inputs: number,
    readonly outputs: number,
  ) {}
  dispose(): void {}
}

/** Copies the patterns order[start…start+rows) into the batch arrays x (and d, when the data has targets). */
export function gatherBatch(x: Floats, d: Floats, data: CpuDataset, order: ArrayLike<number>, start: number, rows: number): void {
  const { inputs, outputs } = data;
  for (let r = 0; r < rows; r++) {
    const p = order[start + r];
    x.set(data.x.subarray(p * inputs, (p + 1) * inputs), r * inputs);
    if (data.y) d.set(data.y.subarray(p * outputs, (p + 1) * outputs), r * outputs);
  }
}
