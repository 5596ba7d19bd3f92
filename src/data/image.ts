/**
 * Images as network input: a decoded image (any size, grey or colour) made into what an MNIST network
 * expects. Pure (no Node imports), so the browser demo prepares a drawing exactly as the CLI prepares a PNG.
 */
import { UNORM8 } from '../backends/upload.ts';

export interface RawImage {
  width: number;
  height: number;
  /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (palettes are expanded to 3 or 4). */
  channels: 1 | 2 | 3 | 4;
  /** Row-major 8-bit samples, width·height·channels of them. */
  data: Uint8Array;
}

export interface MnistInput {
  /** size·size values in [0, 1], white digit on black like MNIST. */
  pixels: Float32Array;
  /**
   * The same pixels as bytes (pixels[i] = bytes[i] / 255 exactly, the UNORM8 table), where preparing the
   * image lost nothing: one gray level per pixel (grayscale, or colour with R = G = B), fully opaque, already
   * size×size and not re-fitted; inverting is 255 − b. Null where resampling or blending made other values.
   * Like IDX ubyte pixels, these go to the network as a ByteMatrix.
   */
  bytes: Uint8Array | null;
  size: number;
  /** The image was mostly bright (dark digit on light paper) and was inverted. */
  inverted: boolean;
  /** The image was not size×size and was brought to that size (see MnistInputOptions.fit). */
  resized: boolean;
  originalWidth: number;
  originalHeight: number;
  /** Human-readable notes on what was done, for the CLI to print. */
  notes: string[];
}

/**
 * An image as a network input: to grayscale, transparency flattened, inverted if bright (MNIST digits are
 * white on black, a photo of ink on paper is the opposite), then brought to size×size by area averaging,
 * either of the whole image or of the digit's bounding box (see `fit`).
 */
export interface MnistInputOptions {
  /** Output side (default 28). */
  size?: number;
  /**
   * 'stretch': area-average the whole image to size×size.
   * 'mnist': do what was done to MNIST itself: crop to the digit, scale its longer side to 20/28 of the frame,
   * and centre it by its centre of mass. A digit drawn small in a corner of a photo is otherwise hopeless.
   * 'auto' (default): 'stretch' for images already size×size (assumed prepared), 'mnist' for anything else.
   */
  fit?: 'auto' | 'stretch' | 'mnist';
}

/** Throws unless `img` is a whole image: positive integer sides, 1–4 channels, exactly w·h·c samples. */
export function checkRawImage(img: RawImage, what: string): void {
  if (typeof img !== 'object' || img === null) throw new TypeError(`${what}: image must be {width, height, channels, data}, got ${img === null ? 'null' : typeof img}`);
  const { width, height, channels, data } = img;
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) throw new RangeError(`${what}: image size must be positive integers, got ${String(width)}×${String(height)}`);
  if (![1, 2, 3, 4].includes(channels)) throw new RangeError(`${what}: channels must be 1, 2, 3 or 4, got ${String(channels)}`);
  if (!((data as unknown) instanceof Uint8Array)) throw new TypeError(`${what}: data must be a Uint8Array of 8-bit samples`);
  if (data.length !== width * height * channels) throw new RangeError(`${what}: data has ${data.length} samples but ${width}×${height}×${channels} = ${width * height * channels}`);
}

export function toMnistInput(img: RawImage, options: MnistInputOptions | number = {}): MnistInput {
  const opts = typeof options === 'number' ? { size: options } : options;
  const size = opts.size ?? 28;
  if (!Number.isInteger(size) || size < 1 || size > 4096) throw new RangeError(`toMnistInput: size must be an integer in 1..4096, got ${String(size)}`);
  checkRawImage(img, 'toMnistInput');
  const { width, height, channels, data } = img;
  const resized = width !== size || height !== size;
  const fit = opts.fit === 'auto' || opts.fit === undefined ? (resized ? 'mnist' : 'stretch') : opts.fit;
  if (!resized && fit === 'stretch') {
    const bytes = grayBytes(img);
    if (bytes) return byteInput(bytes, size);
  }
  const n = width * height;
  const gray = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const p = i * channels;
    gray[i] = channels >= 3 ? (0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2]) / 255 : data[p] / 255;
  }
  // alpha is read from the samples where needed, not kept as a second full-size float image
  const alpha = (i: number) => (channels === 2 || channels === 4 ? data[i * channels + channels - 1] / 255 : 1);
  const notes: string[] = [];
  let hasAlpha = false;
  for (let i = 0; i < n; i++) if (alpha(i) < 1) { hasAlpha = true; break; }
  if (hasAlpha) {
    // Strokes drawn on a transparent canvas: put them on the background that contrasts with their colour,
    // so black-ink and white-ink drawings both come out as a visible digit.
    let ink = 0, weight = 0;
    for (let i = 0; i < n; i++) { ink += gray[i] * alpha(i); weight += alpha(i); }
    const bg = weight > 0 && ink / weight < 0.5 ? 1 : 0;
    for (let i = 0; i < n; i++) gray[i] = gray[i] * alpha(i) + bg * (1 - alpha(i));
    notes.push(`transparent background flattened onto ${bg ? 'white' : 'black'}`);
  }
  // Decide on inversion at full resolution, before cropping: the crop needs to know which side is ink.
  let mean = 0;
  for (const v of gray) mean += v;
  mean /= n;
  const inverted = mean > 0.5;
  if (inverted) {
    for (let i = 0; i < n; i++) gray[i] = 1 - gray[i];
    notes.push(`inverted: the image is mostly bright (mean ${mean.toFixed(2)}), MNIST digits are white on black`);
  }
  let pixels: Float32Array | undefined;
  if (fit === 'mnist') {
    pixels = mnistFit(gray, width, height, size);
    if (pixels) notes.push(`cropped to the digit, scaled to ${Math.round((size * 20) / 28)} px and centred by mass (as MNIST was prepared)`);
  }
  if (!pixels) {
    pixels = resized ? areaResize(gray, width, height, size, size) : gray;
    if (resized) notes.push(`resized from ${width}×${height} to ${size}×${size} by area averaging`);
  }
  return { pixels, size, inverted, resized, originalWidth: width, originalHeight: height, notes, bytes: null };
}

/** One gray byte per pixel when the image has exactly that (R = G = B, alpha 255 throughout), else null. */
function grayBytes({ width, height, channels, data }: RawImage): Uint8Array | null {
  const n = width * height;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = i * channels;
    const v = data[p];
    if (channels >= 3 && (data[p + 1] !== v || data[p + 2] !== v)) return null;
    if ((channels === 2 || channels === 4) && data[p + channels - 1] !== 255) return null;
    out[i] = v;
  }
  return out;
}

/**
 * The lossless case of toMnistInput, on bytes: inverted (255 − b) by the same test as the float path (mean
 * of b/255 over 0.5), pixels read from UNORM8, so the bytes and the floats are one input in two widths.
 */
function byteInput(bytes: Uint8Array, size: number): MnistInput {
  let mean = 0;
  for (const b of bytes) mean += UNORM8[b];
  mean /= bytes.length;
  const inverted = mean > 0.5;
  const notes: string[] = [];
  if (inverted) {
    for (let i = 0; i < bytes.length; i++) bytes[i] = 255 - bytes[i];
    notes.push(`inverted: the image is mostly bright (mean ${mean.toFixed(2)}), MNIST digits are white on black`);
  }
  const pixels = Float32Array.from(bytes, (b) => UNORM8[b]);
  return { pixels, bytes, size, inverted, resized: false, originalWidth: size, originalHeight: size, notes };
}

/**
 * MNIST's own preparation (LeCun et al.): the digit's bounding box scaled so its longer side is 20 of 28
 * pixels, keeping the aspect ratio, then placed so its centre of mass is the frame's centre. Returns
 * undefined when there is no ink to find (a blank image), so the caller falls back to a plain resize.
 */
function mnistFit(gray: Float32Array, w: number, h: number, size: number): Float32Array | undefined {
  let max = 0;
  for (const v of gray) if (v > max) max = v;
  if (max < 0.05) return undefined;
  // Faint noise (paper texture, JPEG-ish artefacts) must not stretch the bounding box.
  const threshold = max * 0.2;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (gray[y * w + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const box = Math.round((size * 20) / 28);
  const scale = box / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale));
  const th = Math.max(1, Math.round(bh * scale));
  // resampled straight from the bounding box inside the full image: no cropped copy of a large photo
  const digit = areaResize(gray, bw, bh, tw, th, { x0, y0, stride: w });
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) { const v = digit[y * tw + x]; mass += v; mx += v * x; my += v * y; }
  // MNIST puts the centre of mass at pixel index 14 (measured: the embedded digits average 14.00, 14.00), not
  // at the geometric centre 13.5; matching it matters, a one-pixel shift costs a small MLP real accuracy.
  // Clamped so nothing is cut off.
  const ox = Math.min(size - tw, Math.max(0, Math.round(size / 2 - mx / mass)));
  const oy = Math.min(size - th, Math.max(0, Math.round(size / 2 - my / mass)));
  const out = new Float32Array(size * size);
  for (let y = 0; y < th; y++) out.set(digit.subarray(y * tw, (y + 1) * tw), (oy + y) * size + ox);
  return out;
}

/**
 * Box (area-averaging) resampling: each output pixel is the mean of the source area it covers, with partial
 * source pixels weighted by their overlap. Unlike nearest-neighbour, thin strokes do not vanish when shrinking.
 */
export function areaResize(
  src: Float32Array,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
  /** a sw × sh window of a larger row-major image: its top-left corner and the image's row length */
  window: { x0: number; y0: number; stride: number } = { x0: 0, y0: 0, stride: sw },
): Float32Array {
  // Per axis, each output index covers [o·s/d, (o+1)·s/d) in source units; precompute the overlap weights.
  const spans = (s: number, d: number) => {
    const out: { i: number; w: number }[][] = [];
    const scale = s / d;
    for (let o = 0; o < d; o++) {
      const a = o * scale;
      const b = (o + 1) * scale;
      const list: { i: number; w: number }[] = [];
      for (let i = Math.floor(a); i < Math.min(s, Math.ceil(b)); i++) {
        const w = Math.min(b, i + 1) - Math.max(a, i);
        if (w > 1e-9) list.push({ i, w: w / scale });
      }
      out.push(list);
    }
    return out;
  };
  const xs = spans(sw, dw);
  const ys = spans(sh, dh);
  const out = new Float32Array(dw * dh);
  for (let oy = 0; oy < dh; oy++) {
    for (let ox = 0; ox < dw; ox++) {
      let acc = 0;
      for (const { i: y, w: wy } of ys[oy]) for (const { i: x, w: wx } of xs[ox]) acc += src[(window.y0 + y) * window.stride + window.x0 + x] * wx * wy;
      out[oy * dw + ox] = acc;
    }
  }
  return out;
}
