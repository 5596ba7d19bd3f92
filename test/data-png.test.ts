import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { areaResize, crc32, decodePng, encodePng, pngToMnistInput, type RawImage, toMnistInput } from '../src/data/png.ts';
import { Random } from '../src/random.ts';
import { loadMnist } from '../src/data/mnist.ts';

function randomImage(width: number, height: number, channels: 1 | 2 | 3 | 4, seed: number): RawImage {
  const rng = new Random(seed);
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(256);
  return { width, height, channels, data };
}

/**
 * Written by rsvg-convert (librsvg + libpng, i.e. not our encoder) from a 28×28 SVG: black background, a
 * white bar x 10..17 × y 4..23, a #808080 square x 0..3 × y 0..3 and a red square x 24..27 × y 24..27.
 * 8-bit RGB, with a bKGD chunk and libpng's own choice of row filters.
 */
const RSVG_PNG = 'iVBORw0KGgoAAAANSUhEUgAAABwAAAAcCAIAAAD9b0jDAAAABmJLR0QA/wD/AP+gvaeTAAAAQ0lEQVRIiWNsaGhggAFkNiWAiSqmDFlDGfFL////H7s2Rnwah473Rw0dNXTU0FFDRw0dxIYSqKOIB8h12dDxPk0MBQBlGAc1pbIdaQAAAABJRU5ErkJggg==';

describe('PNG decoding', () => {
  it('reads a PNG written by another library (libpng via rsvg-convert)', () => {
    const img = decodePng(Buffer.from(RSVG_PNG, 'base64'));
    expect([img.width, img.height, img.channels]).toEqual([28, 28, 3]);
    const at = (x: number, y: number) => Array.from(img.data.subarray((y * 28 + x) * 3, (y * 28 + x) * 3 + 3));
    expect(at(12, 10)).toEqual([255, 255, 255]);
    expect(at(9, 10)).toEqual([0, 0, 0]);
    expect(at(2, 2)).toEqual([128, 128, 128]);
    expect(at(26, 26)).toEqual([255, 0, 0]);
    expect(at(20, 2)).toEqual([0, 0, 0]);
    const input = toMnistInput(img);
    expect(input.inverted).toBe(false);
    expect(input.resized).toBe(false);
    expect(input.pixels[10 * 28 + 12]).toBe(1);
    expect(input.pixels[2 * 28 + 2]).toBeCloseTo(128 / 255, 6);
    expect(input.pixels[26 * 28 + 26]).toBeCloseTo(0.299, 3);
  });

  for (const channels of [1, 2, 3, 4] as const) {
    it(`round-trips ${channels}-channel images through every filter type`, () => {
      const img = randomImage(13, 9, channels, channels);
      for (const filter of [0, 1, 2, 3, 4, 'cycle'] as const) {
        const back = decodePng(encodePng(img, { filter }));
        expect([back.width, back.height, back.channels]).toEqual([13, 9, channels]);
        expect(Buffer.compare(Buffer.from(back.data), Buffer.from(img.data))).toBe(0);
      }
    });
  }

  it('writes a valid PNG: signature, IHDR fields and CRCs', () => {
    const png = encodePng(randomImage(28, 28, 1, 9));
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const v = new DataView(png.buffer);
    expect(String.fromCharCode(...png.subarray(12, 16))).toBe('IHDR');
    expect([v.getUint32(16), v.getUint32(20), png[24], png[25], png[28]]).toEqual([28, 28, 8, 0, 0]);
    // CRC-32 of "123456789" is the standard check value 0xcbf43926.
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(v.getUint32(29)).toBe(crc32(png, 12, 29));
  });

  it('decodes palette images, with tRNS transparency', () => {
    // Hand-built 2×2 palette PNG: indices [0 1; 2 1], palette black, white, mid-gray; index 2 half transparent.
    const chunk = (type: string, body: number[]) => {
      const b = new Uint8Array([0, 0, 0, 0, ...type.split('').map((c) => c.charCodeAt(0)), ...body, 0, 0, 0, 0]);
      const v = new DataView(b.buffer);
      v.setUint32(0, body.length);
      v.setUint32(8 + body.length, crc32(b, 4, 8 + body.length));
      return Array.from(b);
    };
    const raw = new Uint8Array([0, 0, 1, 0, 2, 1]);
    const png = new Uint8Array([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
      ...chunk('IHDR', [0, 0, 0, 2, 0, 0, 0, 2, 8, 3, 0, 0, 0]),
      ...chunk('PLTE', [0, 0, 0, 255, 255, 255, 100, 100, 100]),
      ...chunk('tRNS', [255, 255, 128]),
      ...chunk('IDAT', Array.from(deflateSync(raw))),
      ...chunk('IEND', []),
    ]);
    const img = decodePng(png);
    expect(img.channels).toBe(4);
    expect(Array.from(img.data)).toEqual([0, 0, 0, 255, 255, 255, 255, 255, 100, 100, 100, 128, 255, 255, 255, 255]);
  });

  it('rejects bad signatures, CRC errors, interlacing and other bit depths by name', () => {
    const good = encodePng(randomImage(4, 4, 1, 1));
    expect(() => decodePng(new TextEncoder().encode('GIF89a....'), 'x.gif')).toThrow(/x\.gif: not a PNG file \(bad signature\)/);
    const badCrc = good.slice();
    badCrc[20] ^= 1; // a byte inside IHDR
    expect(() => decodePng(badCrc)).toThrow(/CRC mismatch in IHDR chunk/);
    const withIhdr = (patch: (ihdr: Uint8Array) => void) => {
      const b = good.slice();
      patch(b.subarray(16, 29));
      new DataView(b.buffer).setUint32(29, crc32(b, 12, 29));
      return b;
    };
    expect(() => decodePng(withIhdr((h) => { h[12] = 1; }), 'i.png')).toThrow(/i\.png: interlaced \(Adam7\) PNGs are not supported/);
    expect(() => decodePng(withIhdr((h) => { h[8] = 16; }))).toThrow(/16-bit grayscale PNGs are not supported/);
    expect(() => decodePng(good.subarray(0, good.length - 20))).toThrow(/truncated PNG/);
  });
});

describe('conversion to an MNIST input', () => {
  it('inverts a dark digit on white paper and says so', () => {
    const data = new Uint8Array(28 * 28).fill(255);
    for (let y = 5; y < 23; y++) data[y * 28 + 14] = 0;
    const input = pngToMnistInput(encodePng({ width: 28, height: 28, channels: 1, data }));
    expect(input.inverted).toBe(true);
    expect(input.notes.join(' ')).toMatch(/inverted/);
    expect(input.pixels[10 * 28 + 14]).toBe(1);
    expect(input.pixels[10 * 28 + 3]).toBe(0);
  });

  it('area-averages a larger image down to 28×28, keeping the mean brightness', () => {
    // 280×140 (non-square): left half black, right half a white region; each output pixel covers 10×5 sources.
    const w = 280, h = 140;
    const data = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 145; x < w; x++) data[y * w + x] = 255;
    const input = pngToMnistInput(encodePng({ width: w, height: h, channels: 1, data }), 'x.png', { fit: 'stretch' });
    expect(input.resized).toBe(true);
    expect(input.pixels.length).toBe(784);
    expect(input.pixels[0]).toBe(0);
    expect(input.pixels[14]).toBeCloseTo(0.5, 6); // covers source x 140..149, half of it white
    expect(input.pixels[27]).toBeCloseTo(1, 6);
    const mean = input.pixels.reduce((a, b) => a + b, 0) / 784;
    expect(mean).toBeCloseTo(135 / 280, 5);
  });

  it("fit 'mnist' (the default for other sizes) crops, scales to 20 px and centres a small off-centre digit", () => {
    // 300×200 white paper, a dark 10×40 bar near the top-left corner.
    const w = 300, h = 200;
    const data = new Uint8Array(w * h).fill(240);
    for (let y = 10; y < 50; y++) for (let x = 20; x < 30; x++) data[y * w + x] = 10;
    const input = pngToMnistInput(encodePng({ width: w, height: h, channels: 1, data }));
    expect(input.inverted).toBe(true);
    expect(input.resized).toBe(true);
    expect(input.notes.join(' ')).toMatch(/centred by mass/);
    let x0 = 28, x1 = -1, y0 = 28, y1 = -1, mass = 0, mx = 0, my = 0;
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
      const v = input.pixels[y * 28 + x];
      if (v > 0.5) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
      mass += v; mx += v * x; my += v * y;
    }
    expect(y1 - y0 + 1).toBe(20); // the longer side fills 20 of 28 pixels
    expect(x1 - x0 + 1).toBe(5); // aspect kept: 10×40 → 5×20
    expect(Math.abs(mx / mass - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(my / mass - 14)).toBeLessThanOrEqual(0.5);
    // A blank image has no digit to find and falls back to a plain resize.
    const blank = pngToMnistInput(encodePng({ width: 56, height: 56, channels: 1, data: new Uint8Array(56 * 56) }));
    expect(blank.pixels.every((v) => v === 0)).toBe(true);
    expect(blank.notes.join(' ')).toMatch(/resized from 56×56/);
  });

  it('recovers a real MNIST digit printed large, dark on white, off-centre', () => {
    const { test } = loadMnist({ seed: 1, train: 0, test: 20 });
    for (let k = 0; k < 20; k++) {
      const digit = test.x.data.subarray(k * 784, (k + 1) * 784);
      const bytes = test.pixels!.bytes.subarray(k * 784, (k + 1) * 784);
      // ×8 nearest-neighbour, inverted, placed at (40, 16) on a 320×260 white page.
      const W = 320, H = 260;
      const page = new Uint8Array(W * H).fill(255);
      for (let y = 0; y < 224; y++) for (let x = 0; x < 224; x++) page[(16 + y) * W + 40 + x] = 255 - bytes[(y >> 3) * 28 + (x >> 3)];
      const back = pngToMnistInput(encodePng({ width: W, height: H, channels: 1, data: page })).pixels;
      let sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
      for (let i = 0; i < 784; i++) { const a = digit[i], b = back[i]; sa += a; sb += b; sab += a * b; saa += a * a; sbb += b * b; }
      const corr = (784 * sab - sa * sb) / Math.sqrt((784 * saa - sa * sa) * (784 * sbb - sb * sb));
      expect(corr).toBeGreaterThan(0.99); // a one-pixel misplacement gives 0.5-0.9
    }
  });

  it('areaResize upsamples and handles fractional coverage exactly', () => {
    expect(Array.from(areaResize(new Float32Array([0, 1]), 2, 1, 4, 1))).toEqual([0, 0, 1, 1]);
    const r = areaResize(new Float32Array([0, 0, 1]), 3, 1, 2, 1);
    expect(r[0]).toBeCloseTo(0, 6);
    expect(r[1]).toBeCloseTo(2 / 3, 6);
  });

  it('flattens black strokes on a transparent canvas into a white-on-black digit', () => {
    const data = new Uint8Array(28 * 28 * 4); // all transparent black
    for (let y = 4; y < 24; y++) data.set([0, 0, 0, 255], (y * 28 + 14) * 4);
    const input = toMnistInput({ width: 28, height: 28, channels: 4, data });
    expect(input.pixels[10 * 28 + 14]).toBe(1);
    expect(input.pixels[10 * 28 + 2]).toBe(0);
    expect(input.inverted).toBe(true);
    expect(input.notes.join(' ')).toMatch(/transparent background flattened onto white/);
  });
});
