/**
 * Just enough PNG for `deltagpu predict digit.png`: a decoder for 8-bit, non-interlaced grayscale, gray+alpha,
 * RGB, RGBA and palette images (what phones, paint programs and canvases save), a converter to a 28×28 MNIST
 * input, and a small encoder for tests and for exporting digits. No dependency: zlib does the real work.
 */
import { deflateSync } from 'node:zlib';
import { InflateLimitError, MAX_DEFLATE_RATIO, inflateBounded } from '../format/bounded-inflate.ts';
import { toMnistInput } from './image.ts';
import type { MnistInput, MnistInputOptions, RawImage } from './image.ts';

export { areaResize, toMnistInput } from './image.ts';
export type { MnistInput, MnistInputOptions, RawImage } from './image.ts';

/** What every malformed PNG throws (bad signature, short or corrupt chunks, sizes beyond MAX_PNG_PIXELS…). */
export class PngFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PngFormatError';
  }
}

/**
 * The largest image decoded: 50 million pixels (a 48-megapixel phone photo is 8000 × 6000). A PNG's pixels
 * are held once as bytes and once as float gray values, so this caps a decode near 1 GB; an 8192 × 8192
 * image (67 million pixels) is refused by its IHDR, before its data is inflated.
 */
export const MAX_PNG_PIXELS = 50_000_000;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Record<number, 1 | 2 | 3 | 4> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const COLOR_NAMES: Record<number, string> = { 0: 'grayscale', 2: 'RGB', 3: 'palette', 4: 'gray+alpha', 6: 'RGBA' };

let crcTable: Uint32Array | undefined;
/** CRC-32 as PNG defines it (ISO 3309 / zlib polynomial 0xedb88320). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes a PNG; `file` only names the source in errors. */
export function decodePng(bytes: Uint8Array, file = '<png>'): RawImage {
  const fail = (msg: string): never => { throw new PngFormatError(`${file}: ${msg}`); };
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`decodePng: bytes must be a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) fail('not a PNG file (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0, height = 0, colorType = -1;
  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let sawEnd = false;
  while (pos < bytes.length && !sawEnd) {
    if (pos + 12 > bytes.length) fail(`truncated PNG: chunk header at byte ${pos} runs past the end`);
    const len = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (pos === 8 && type !== 'IHDR') fail(`corrupt PNG: the first chunk is '${printable(type)}', expected IHDR`);
    if (pos + 12 + len > bytes.length) fail(`truncated PNG: ${type} chunk needs ${len} bytes, file ends first`);
    const body = bytes.subarray(pos + 8, pos + 8 + len);
    const crc = view.getUint32(pos + 8 + len);
    if (crc32(bytes, pos + 4, pos + 8 + len) !== crc) fail(`corrupt PNG: CRC mismatch in ${type} chunk`);
    switch (type) {
      case 'IHDR': {
        if (len !== 13) fail(`corrupt PNG: IHDR chunk has ${len} bytes, expected 13`);
        if (colorType >= 0) fail('corrupt PNG: a second IHDR chunk');
        const h = new DataView(body.buffer, body.byteOffset, body.byteLength);
        width = h.getUint32(0);
        height = h.getUint32(4);
        const depth = body[8];
        colorType = body[9];
        if (!(colorType in CHANNELS)) fail(`unknown PNG color type ${colorType}`);
        if (depth !== 8) fail(`${depth}-bit ${COLOR_NAMES[colorType]} PNGs are not supported; save as 8-bit`);
        if (body[12] !== 0) fail('interlaced (Adam7) PNGs are not supported; save without interlacing');
        if (width === 0 || height === 0) fail(`corrupt PNG: image size ${width}×${height}, expected at least 1×1`);
        if (width * height > MAX_PNG_PIXELS) fail(`image size ${width}×${height} = ${width * height} pixels is above the limit of ${MAX_PNG_PIXELS} (MAX_PNG_PIXELS); scale it down first`);
        break;
      }
      case 'PLTE': palette = body; break;
      case 'tRNS': transparency = body; break;
      case 'IDAT': idat.push(body); break;
      case 'IEND': sawEnd = true; break;
      default: break; // ancillary chunks (gamma, text, …) do not change the pixels we need
    }
    pos += 12 + len;
  }
  if (colorType < 0) fail('PNG has no IHDR chunk');
  if (idat.length === 0) fail('PNG has no image data (IDAT)');
  const bpp = CHANNELS[colorType];
  const stride = width * bpp;
  // what IHDR declares: one filter byte and `stride` sample bytes per row; the inflate stops there
  const expected = height * (stride + 1);
  const packed = idat.length === 1 ? idat[0] : Buffer.concat(idat);
  if (expected > packed.length * MAX_DEFLATE_RATIO + 1024) {
    fail(`corrupt PNG: ${width}×${height} ${COLOR_NAMES[colorType]} needs ${expected} bytes of image data, more than ${packed.length} bytes of IDAT can hold`);
  }
  let raw: Uint8Array;
  try {
    raw = inflateBounded(packed, expected, 'zlib');
  } catch (err) {
    if (err instanceof InflateLimitError) return fail(`corrupt PNG: image data inflates beyond the ${expected} bytes a ${width}×${height} ${COLOR_NAMES[colorType]} image has`);
    return fail(`corrupt PNG image data: ${(err as Error).message}`);
  }
  if (raw.length < expected) fail(`truncated PNG image data: expected ${expected} bytes, got ${raw.length}`);
  // Unfiltered in place: row y's samples move left by y + 1 filter bytes, always onto bytes already read,
  // so the decoded pixels are a view of the inflated buffer, not a second copy of the image.
  const px = raw;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let i = 0; i < stride; i++) {
      const x = raw[src + i];
      const a = i >= bpp ? px[row + i - bpp] : 0;
      const b = y > 0 ? px[prev + i] : 0;
      const c = y > 0 && i >= bpp ? px[prev + i - bpp] : 0;
      let v: number;
      switch (filter) {
        case 0: v = x; break;
        case 1: v = x + a; break;
        case 2: v = x + b; break;
        case 3: v = x + ((a + b) >> 1); break;
        case 4: v = x + paeth(a, b, c); break;
        default: return fail(`corrupt PNG: unknown filter type ${filter} on row ${y}`);
      }
      px[row + i] = v & 0xff;
    }
  }
  if (colorType !== 3) return { width, height, channels: bpp, data: px.subarray(0, height * stride) };

  if (!palette) return fail('palette PNG without a PLTE chunk');
  const out = transparency ? 4 : 3;
  const data = new Uint8Array(width * height * out);
  for (let i = 0; i < width * height; i++) {
    const k = px[i];
    if (k * 3 + 2 >= palette.length) fail(`palette index ${k} beyond the ${palette.length / 3}-entry palette`);
    data[i * out] = palette[k * 3];
    data[i * out + 1] = palette[k * 3 + 1];
    data[i * out + 2] = palette[k * 3 + 2];
    if (transparency) data[i * out + 3] = k < transparency.length ? transparency[k] : 255;
  }
  return { width, height, channels: out, data };
}

/**
 * Encodes 8-bit pixels as PNG. `filter` picks one filter type for all rows, or 'cycle' to rotate through all
 * five (which makes the decoder's every filter path run in a round trip).
 */
export function encodePng(img: RawImage, options: { filter?: 0 | 1 | 2 | 3 | 4 | 'cycle' } = {}): Uint8Array {
  const { width, height, channels, data } = img;
  if (data.length !== width * height * channels) {
    throw new RangeError(`encodePng: ${data.length} samples but ${width}×${height}×${channels} = ${width * height * channels}`);
  }
  const colorType = { 1: 0, 2: 4, 3: 2, 4: 6 }[channels];
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const f = options.filter === 'cycle' ? y % 5 : options.filter ?? 0;
    raw[y * (stride + 1)] = f;
    for (let i = 0; i < stride; i++) {
      const x = data[y * stride + i];
      const a = i >= channels ? data[y * stride + i - channels] : 0;
      const b = y > 0 ? data[(y - 1) * stride + i] : 0;
      const c = y > 0 && i >= channels ? data[(y - 1) * stride + i - channels] : 0;
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][f];
      raw[y * (stride + 1) + 1 + i] = (x - pred) & 0xff;
    }
  }
  const ihdr = new Uint8Array(13);
  const hv = new DataView(ihdr.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  ihdr.set([8, colorType, 0, 0, 0], 8);
  const chunks = [pngChunk('IHDR', ihdr), pngChunk('IDAT', new Uint8Array(deflateSync(raw))), pngChunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(8 + chunks.reduce((n, c) => n + c.length, 0));
  out.set(SIGNATURE);
  let at = 8;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/** A chunk type for an error message: its letters, or hex when they are not letters (a corrupt file). */
function printable(type: string): string {
  return /^[A-Za-z]{4}$/.test(type) ? type : Array.from(type, (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(' ');
}

/** One PNG chunk (length, type, body, CRC), as the encoder writes them; tests build hostile files from it too. */
export function pngChunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  v.setUint32(8 + body.length, crc32(out, 4, 8 + body.length));
  return out;
}

/** PNG bytes → MNIST input in one call, for the CLI; a number for `options` is the output size. */
export function pngToMnistInput(bytes: Uint8Array, file = '<png>', options: MnistInputOptions | number = {}): MnistInput {
  return toMnistInput(decodePng(bytes, file), options);
}
