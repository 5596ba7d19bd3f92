/**
 * What `deltagpu predict` classifies: a PNG (any size, grayscale or colour, made MNIST-like) or an IDX
 * images file (every image in it), as rows of network input.
 */
import { readFileSync } from 'node:fs';
import { pngToMnistInput } from '../data/png.ts';
import { IDX_IMAGES_MAGIC, readIdxFile } from '../data/idx.ts';
import type { Matrix } from '../tensor.ts';

export function predictInputs(path: string, inputs: number): { x: Matrix; notes: string[] } {
  const bytes = readFileSync(path);
  const isPng = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  if (isPng) {
    const size = Math.round(Math.sqrt(inputs));
    if (size * size !== inputs) throw new RangeError(`${path}: the model takes ${inputs} inputs, which is not a square image`);
    const img = pngToMnistInput(bytes, path, size);
    return { x: { data: img.pixels, rows: 1, cols: inputs }, notes: img.notes };
  }
  const idx = readIdxFile(path, IDX_IMAGES_MAGIC);
  const [count, h, w] = idx.dims;
  if (h * w !== inputs) throw new RangeError(`${path}: images are ${h}×${w} = ${h * w} pixels but the model takes ${inputs} inputs`);
  const data = new Float32Array(idx.data.length);
  for (let k = 0; k < data.length; k++) data[k] = idx.data[k] / 255;
  return { x: { data, rows: count, cols: inputs }, notes: [] };
}
