/**
 * What `deltagpu predict` classifies: a PNG (any size, grayscale or colour, made MNIST-like) or an IDX
 * images file (every image in it), as rows of network input. 8-bit pixels stay bytes (a ByteMatrix, scaled
 * to [0, 1] by the backend as in training): every IDX file, and a PNG whose preparation lost nothing
 * (MnistInput.bytes); a resized or blended PNG is float32.
 */
import { pngToMnistInput } from '../data/png.ts';
import { IDX_IMAGES_MAGIC, readIdxFile } from '../data/idx.ts';
import { openInputFile } from '../format/read-file.ts';
import type { ByteMatrix } from '../backend.ts';
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

export function predictInputs(path: string, inputs: number): { x: Matrix | ByteMatrix; notes: string[] } {
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
    const x = img.bytes ? { bytes: img.bytes, rows: 1, cols: inputs } : { data: img.pixels, rows: 1, cols: inputs };
    return { x, notes: img.notes };
  }
  const idx = readIdxFile(path, IDX_IMAGES_MAGIC);
  const [count, h, w] = idx.dims;
  if (count === 0) throw new RangeError(`${path}: has 0 images, expected at least 1`);
  if (h * w !== inputs) throw new RangeError(`${path}: images are ${h}×${w} = ${h * w} pixels but the model takes ${inputs} inputs`);
  return { x: { bytes: idx.data, rows: count, cols: inputs }, notes: [] };
}
