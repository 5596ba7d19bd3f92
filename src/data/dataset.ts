/**
 * The one shape every data source hands to the trainer, whether the embedded digits, IDX files from disk or
 * a PNG the user drew. Labels are kept next to the one-hot targets because evaluation (accuracy, confusion
 * matrix) wants class indices while the loss wants the one-hot rows; converting back and forth per epoch would
 * be waste.
 */
import type { Matrix } from '../tensor.ts';

export interface Dataset {
  /** Pixels scaled to [0, 1], one image per row (rows × width·height). */
  readonly x: Matrix;
  /** Class index per row, 0..classes-1. */
  readonly labels: Uint8Array;
  /** One-hot targets (rows × classes), derived from `labels`. */
  readonly y: Matrix;
  readonly classes: number;
  readonly width: number;
  readonly height: number;
  /** Human-readable origin, shown in the CLI banner and stored in saved-model metadata. */
  readonly source: string;
}

/** One-hot rows for class indices; throws on an index outside 0..classes-1 rather than writing a zero row. */
export function oneHot(labels: ArrayLike<number>, classes: number): Matrix {
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`classes must be a positive integer, got ${classes}`);
  const data = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new RangeError(`label ${c} at index ${i} is out of range for ${classes} classes (expected 0..${classes - 1})`);
    }
    data[i * classes + c] = 1;
  }
  return { data, rows: labels.length, cols: classes };
}

/**
 * A Dataset from pixels and labels, checking that they agree; `x` is taken as is (not copied), so callers
 * that build it fresh pay nothing extra.
 */
export function makeDataset(
  x: Matrix,
  labels: Uint8Array,
  info: { classes: number; width: number; height: number; source: string },
): Dataset {
  if (x.rows !== labels.length) {
    throw new RangeError(`${info.source}: ${x.rows} images but ${labels.length} labels`);
  }
  if (x.cols !== info.width * info.height) {
    throw new RangeError(`${info.source}: rows have ${x.cols} pixels but ${info.width}×${info.height} = ${info.width * info.height}`);
  }
  return { x, labels, y: oneHot(labels, info.classes), ...info };
}

/**
 * Rows `indices` of a data set, in that order: for validation splits and smaller slices in tests.
 * `source` says what was taken so a log line never passes a slice off as the whole set.
 */
export function subset(ds: Dataset, indices: ArrayLike<number>, source = `${ds.source} (${indices.length} of ${ds.x.rows})`): Dataset {
  const cols = ds.x.cols;
  const x = new Float32Array(indices.length * cols);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    if (!Number.isInteger(r) || r < 0 || r >= ds.x.rows) throw new RangeError(`subset: row ${r} is outside 0..${ds.x.rows - 1}`);
    x.set(ds.x.data.subarray(r * cols, (r + 1) * cols), i * cols);
    labels[i] = ds.labels[r];
  }
  return makeDataset({ data: x, rows: indices.length, cols }, labels, {
    classes: ds.classes, width: ds.width, height: ds.height, source,
  });
}
