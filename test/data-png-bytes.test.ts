/**
 * Issue 11: an 8-bit PNG whose preparation loses nothing (one gray level per pixel, opaque, already 28×28)
 * reaches the network as bytes, like IDX ubyte pixels: MnistInput.bytes, with pixels = UNORM8[bytes], and
 * `deltagpu predict` passes a ByteMatrix. The byte input must be the float input exactly, and give exactly
 * the same predictions; anything resampled or blended stays float32.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UNORM8 } from '../src/backends/upload.ts';
import { predictInputs } from '../src/cli/predict.ts';
import { main } from '../src/cli/main.ts';
import { encodeIdx } from '../src/data/idx.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { encodePng, pngToMnistInput, toMnistInput, type RawImage } from '../src/data/png.ts';
import { saveModel } from '../src/io/model-file.ts';
import { dense, sequential } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-png-bytes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { test } = loadMnist({ seed: 1, train: 0, test: 4 });
/** Test digit k's bytes, white on black (MNIST's own), or inverted: dark ink on white paper. */
const digit = (k: number, onPaper = false) => Uint8Array.from(test.pixels!.bytes.subarray(k * 784, (k + 1) * 784), (b) => (onPaper ? 255 - b : b));
const gray = (data: Uint8Array): RawImage => ({ width: 28, height: 28, channels: 1, data });
/** The same gray levels as RGBA (R = G = B, alpha 255), what a canvas export gives. */
const rgba = (data: Uint8Array): RawImage => ({ width: 28, height: 28, channels: 4, data: Uint8Array.from({ length: 784 * 4 }, (_, i) => (i % 4 === 3 ? 255 : data[i >> 2])) });

describe('PNG pixels kept as bytes', () => {
  it('a gray 28×28 image gives its bytes, and pixels = bytes / 255 exactly as the float path computes them', () => {
    const b = digit(0);
    for (const img of [gray(b), rgba(b), { width: 28, height: 28, channels: 3 as const, data: rgba(b).data.filter((_, i) => i % 4 !== 3) }]) {
      const input = toMnistInput(img);
      expect(input.inverted).toBe(false);
      expect(Array.from(input.bytes!)).toEqual(Array.from(b));
      // the float path's own formula for a gray byte: float32(b / 255)
      for (let i = 0; i < 784; i++) if (input.pixels[i] !== Math.fround(b[i] / 255) || input.pixels[i] !== UNORM8[input.bytes![i]]) throw new Error(`pixel ${i}`);
    }
  });

  it('ink on white paper is inverted in bytes (255 − b), within one float32 step of the float path’s 1 − b/255', () => {
    const paper = digit(1, true);
    const input = pngToMnistInput(encodePng(gray(paper)));
    expect(input.inverted).toBe(true);
    expect(input.notes.join(' ')).toMatch(/inverted/);
    expect(Array.from(input.bytes!)).toEqual(Array.from(digit(1)));
    let moved = 0;
    for (let i = 0; i < 784; i++) {
      expect(input.pixels[i]).toBe(UNORM8[255 - paper[i]]);
      const old = Math.fround(1 - Math.fround(paper[i] / 255));
      expect(Math.abs(input.pixels[i] - old)).toBeLessThanOrEqual(2 ** -24);
      if (input.pixels[i] !== old) moved++;
    }
    // (255 − b)/255 rounded once is the exact value; the float path rounded twice, so some pixels moved one step
    expect(moved).toBeGreaterThan(0);
  });

  it('resampled, blended or coloured images stay float32 (bytes null)', () => {
    const b = digit(2);
    const coloured = rgba(b);
    coloured.data[4 * 300] = 7; // one red sample differs from its green and blue
    const seeThrough = rgba(b);
    seeThrough.data[4 * 5 + 3] = 254;
    const big: RawImage = { width: 56, height: 56, channels: 1, data: new Uint8Array(56 * 56).fill(30) };
    expect(toMnistInput(coloured).bytes).toBeNull();
    expect(toMnistInput(seeThrough).bytes).toBeNull();
    expect(toMnistInput(big).bytes).toBeNull();
    expect(toMnistInput(gray(b), { fit: 'mnist' }).bytes).toBeNull();
    expect(toMnistInput(gray(b), { fit: 'stretch' }).bytes).not.toBeNull();
  });

  it('`deltagpu predict` gives a lossless PNG and an IDX file to the model as bytes, with exactly the float path’s outputs', async () => {
    const model = sequential([dense(784, 12, { activation: 'relu' }), dense(12, 10, { activation: 'softmax' })], { seed: 5 });
    model.compile({ loss: 'categoricalCrossentropy', optimizer: { type: 'sgd', learningRate: 0.1 }, backend: 'cpu' });
    const modelPath = join(dir, 'm.safetensors');
    await saveModel(model, modelPath);

    const png = join(dir, 'digit.png');
    const paper = digit(3, true);
    writeFileSync(png, encodePng(rgba(paper)));
    const fromPng = predictInputs(png, 784);
    expect('bytes' in fromPng.x && Array.from(fromPng.x.bytes)).toEqual(Array.from(digit(3)));
    const floats = pngToMnistInput(encodePng(rgba(paper))).pixels;
    const viaBytes = await model.predict(fromPng.x);
    const viaFloats = await model.predict({ data: floats, rows: 1, cols: 784 });
    expect(Array.from(viaBytes.data)).toEqual(Array.from(viaFloats.data));

    const idx = join(dir, 'four-idx3-ubyte');
    writeFileSync(idx, encodeIdx([4, 28, 28], test.pixels!.bytes));
    const fromIdx = predictInputs(idx, 784);
    expect('bytes' in fromIdx.x).toBe(true);
    const idxFloats = { data: Float32Array.from(test.pixels!.bytes, (b) => b / 255), rows: 4, cols: 784 };
    expect(Array.from((await model.predict(fromIdx.x)).data)).toEqual(Array.from((await model.predict(idxFloats)).data));

    // and through the CLI, end to end: the printed probability is the float path's
    const lines: string[] = [];
    expect(await main(['predict', modelPath, png, '--backend', 'cpu', '--json'], (s) => lines.push(s))).toBe(0);
    const [row] = JSON.parse(lines.at(-1)!) as { class: number; probability: number }[];
    expect(row.probability).toBe(viaFloats.data[row.class]);
    await model.dispose();
  });
});
