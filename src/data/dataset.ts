/**
 * The one shape every data source hands to the trainer, whether the embedded digits, IDX files from disk or
 * a PNG the user drew. Labels are kept next to the one-hot targets because evaluation (accuracy, confusion
 * matrix) wants class indices while the loss wants the one-hot rows; converting back and forth per epoch would
 * be waste.
 */
import type { ByteMatrix, ClassIndices } from '../backend.ts';
import { UNORM8 } from '../backends/upload.ts';
import type { Matrix } from '../tensor.ts';

export interface Dataset {
  /**
   * Pixels scaled to [0, 1], one image per row (rows × width·height). For an 8-bit source (`pixels` set)
   * this float32 copy is made only when first read: training takes `inputs(ds)` and never needs it.
   */
  readonly x: Matrix;
  /** The 8-bit pixels where the source has them (IDX ubyte), else null; x = pixels / 255. */
  readonly pixels: ByteMatrix | null;
  readonly rows: number;
  /** Class index per row, 0..classes-1. */
  readonly labels: Uint8Array;
  /** One-hot targets (rows × classes), derived from `labels` when first read. */
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

/** The data set's inputs in their own width: the 8-bit pixels where there are some, else x. */
export function inputs(ds: Dataset): Matrix | ByteMatrix {
  return ds.pixels ?? ds.x;
}

/** The data set's targets as class indices (expanded to one-hot by the backend, per batch). */
export function targets(ds: Dataset): ClassIndices {
  return { indices: ds.labels, classes: ds.classes };
}

type Info = { classes: number; width: number; height: number; source: string };

function checkAgree(rows: number, cols: number, labels: Uint8Array, info: Info): void {
  if (rows !== labels.length) throw new RangeError(`${info.source}: ${rows} images but ${labels.length} labels`);
  if (cols !== info.width * info.height) {
    throw new RangeError(`${info.source}: rows have ${cols} pixels but ${info.width}×${info.height} = ${info.width * info.height}`);
  }
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= info.classes) {
      throw new RangeError(`label ${labels[i]} at index ${i} is out of range for ${info.classes} classes (expected 0..${info.classes - 1})`);
    }
  }
}

/** A Dataset whose x and y are computed on first read (and then kept). */
function lazyDataset(x: () => Matrix, pixels: ByteMatrix | null, labels: Uint8Array, info: Info): Dataset {
  let xm: Matrix | undefined;
  let ym: Matrix | undefined;
  return {
    get x() {
      return (xm ??= x());
    },
    get y() {
      return (ym ??= oneHot(labels, info.classes));
    },
    pixels,
    rows: labels.length,
    labels,
    ...info,
  };
}

/**
 * A Dataset from pixels and labels, checking that they agree; `x` is taken as is (not copied), so callers
 * that build it fresh pay nothing extra.
 */
export function makeDataset(x: Matrix, labels: Uint8Array, info: Info): Dataset {
  checkAgree(x.rows, x.cols, labels, info);
  return lazyDataset(() => x, null, labels, info);
}

/** A Dataset of 8-bit pixels (taken as is, not copied); x as float32 only if someone reads it. */
export function makeByteDataset(pixels: ByteMatrix, labels: Uint8Array, info: Info): Dataset {
  checkAgree(pixels.rows, pixels.cols, labels, info);
  const widen = (): Matrix => ({ data: Float32Array.from(pixels.bytes, (b) => UNORM8[b]), rows: pixels.rows, cols: pixels.cols });
  return lazyDataset(widen, pixels, labels, info);
}

/**
 * Rows `indices` of a data set, in that order: for validation splits and smaller slices in tests.
 * `source` says what was taken so a log line never passes a slice off as the whole set.
 */
export function subset(ds: Dataset, indices: ArrayLike<number>, source = `${ds.source} (${indices.length} of ${ds.rows})`): Dataset {
  const src = inputs(ds);
  const cols = src.cols;
  const bytes = ds.pixels ? new Uint8Array(indices.length * cols) : null;
  const x = bytes ? null : new Float32Array(indices.length * cols);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    if (!Number.isInteger(r) || r < 0 || r >= ds.rows) throw new RangeError(`subset: row ${r} is outside 0..${ds.rows - 1}`);
    if (bytes) bytes.set(ds.pixels!.bytes.subarray(r * cols, (r + 1) * cols), i * cols);
    else x!.set(ds.x.data.subarray(r * cols, (r + 1) * cols), i * cols);
    labels[i] = ds.labels[r];
  }
  const info = { classes: ds.classes, width: ds.width, height: ds.height, source };
  return bytes
    ? makeByteDataset({ bytes, rows: indices.length, cols }, labels, info)
    : makeDataset({ data: x!, rows: indices.length, cols }, labels, info);
}
