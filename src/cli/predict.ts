/**
 * What `deltagpu predict` classifies: a PNG (any size, grayscale or colour, made MNIST-like) or an IDX
 * images file (every image in it), as rows of network input.
 */
import { pngToMnistInput } from '../data/png.ts';
import { IDX_IMAGES_MAGIC, readIdxFile } from '../data/idx.ts';
import { openInputFile } from '../io/read-file.ts';
import type { Matrix } from '../tensor.ts';

/** The largest PNG file read (256 MiB); its pixels are checked against MAX_PNG_PIXELS before inflating. */
export const MAX_PNG_FILE_BYTES = 256 * 2 ** 20;

function isPngFile(path: string): boolean {
  const f = openInputFile(path, 'image file', Number.MAX_SAFE_INTEGER);
  try {
    const head = f.read(0, 4);
    return head.length === 4 && head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47;
  } finally {
    f.close();
  }
}

export function predictInputs(path: string, inputs: number): { x: Matrix; notes: string[] } {
  if (isPngFile(path)) {
    const size = Math.round(Math.sqrt(inputs));
    if (size * size !== inputs) throw new RangeError(`${path}: the model takes ${inputs} inputs, which is not a square image`);
    const f = openInputFile(path, 'PNG file', MAX_PNG_FILE_BYTES);
    let bytes: Uint8Array;
    try {
      bytes = f.read(0, f.size);
    } finally {
      f.close();
    }
    const img = pngToMnistInput(bytes, path, size);
    return { x: { data: img.pixels, rows: 1, cols: inputs }, notes: img.notes };
  }
  const idx = readIdxFile(path, IDX_IMAGES_MAGIC);
  const [count, h, w] = idx.dims;
  if (count === 0) throw new RangeError(`${path}: has 0 images, expected at least 1`);
  if (h * w !== inputs) throw new RangeError(`${path}: images are ${h}×${w} = ${h * w} pixels but the model takes ${inputs} inputs`);
  const data = new Float32Array(idx.data.length);
  for (let k = 0; k < data.length; k++) data[k] = idx.data[k] / 255;
  return { x: { data, rows: count, cols: inputs }, notes: [] };
}
