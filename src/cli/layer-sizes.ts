/**
 * `deltagpu train --layers`: the hidden sizes are judged before any data is loaded (loading MNIST takes
 * seconds, a full IDX set longer), against the same host cap sequential() applies (MAX_PARAMETERS
 * parameters, 1 GiB of float32). The network's input width is known without loading: the embedded digits
 * are 28×28, and an IDX folder's images file says its size in its header, read here from the file's first
 * bytes (inflating only those, if it is gzipped).
 */
import { IDX_IMAGES_MAGIC, findIdxFiles, readIdxDims } from '../data/idx.ts';
import { MAX_PARAMETERS } from '../validate.ts';

/**
 * Pixels per image of an IDX folder's training images, from the header alone; null if it is not 3-D (the
 * loader says why). The header is first checked against the file (readIdxDims): a header declaring
 * 60000×65535×65535 over 100 bytes is the file's fault, and must not reach checkHiddenLayers as a width.
 */
export function idxImageWidth(dir: string): number | null {
  const dims = idxImageDims(dir);
  return dims === null ? null : dims[0] * dims[1];
}

/** [height, width] of an IDX folder's training images, from the header alone; null if it is not 3-D. */
export function idxImageDims(dir: string): [number, number] | null {
  const { images } = findIdxFiles(dir, 'train');
  const dims = readIdxDims(images, IDX_IMAGES_MAGIC);
  return dims.length === 3 ? [dims[1], dims[2]] : null;
}

/**
 * Throws unless an MLP inputs → hidden… → classes (with biases) stays within MAX_PARAMETERS, naming
 * --layers, the offending hidden layer, the sizes it may have with the others as given, and the value.
 */
export function checkHiddenLayers(hidden: readonly number[], inputs: number, classes: number): void {
  const sizes = [inputs, ...hidden, classes];
  // layer k (k ≥ 1) has sizes[k] units with sizes[k - 1] inputs, plus a bias per unit
  const params = (s: readonly number[]) => s.slice(1).reduce((n, units, k) => n + units * (s[k] + 1), 0);
  const total = params(sizes);
  if (total <= MAX_PARAMETERS) return;
  // the hidden layer with the most parameters in and out of it is the one to name
  const touching = hidden.map((h, i) => h * (sizes[i] + 1 + sizes[i + 2]));
  const i = touching.indexOf(Math.max(...touching));
  const h = hidden[i];
  // the most units it may have with every other size as given: total is linear in h
  const perUnit = sizes[i] + 1 + sizes[i + 2];
  const most = Math.floor((MAX_PARAMETERS - (total - h * perUnit)) / perUnit);
  const range = most >= 1 ? `1 to ${most} units` : 'at least 1 unit, and the other hidden layers fewer';
  throw new RangeError(
    `--layers: hidden layer ${i + 1} of ${sizes.length - 2} must be ${range} for a ${sizes.map((s, k) => (k === i + 1 ? 'N' : s)).join('-')} network ` +
      `(at most ${MAX_PARAMETERS} parameters, 1 GiB of float32), got ${h} (${total} parameters)`,
  );
}
