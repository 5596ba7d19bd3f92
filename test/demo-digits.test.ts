// demo/digits-format.ts: the demo's 8-bit digits file must give back exactly the digits the CLI reads.
import { describe, expect, it } from 'vitest';
import { loadMnistDigits } from '../src/data/mnist.ts';
import { splitDigits } from '../src/data/split.ts';
import { decodeDigits, encodeDigits, MAGIC, PIXELS } from '../demo/digits-format.ts';

describe('the demo digits file (8-bit pixels)', () => {
  it("decodes to exactly the CLI's digit bytes (every class, every pixel), at about a third of the JSON's size", () => {
    const cli = loadMnistDigits();
    const bytes = encodeDigits(cli);
    expect(bytes.length).toBe(MAGIC.length + 40 + cli.reduce((s, d) => s + d.length, 0));
    expect(bytes.length).toBeLessThan(8_000_000);
    const back = decodeDigits(bytes, 'digits.bin');
    expect(back.map((d) => d.length)).toEqual(cli.map((d) => d.length));
    cli.forEach((d, c) => {
      expect(back[c]).toBeInstanceOf(Uint8Array);
      expect(Buffer.compare(back[c], d), `class ${c}`).toBe(0);
    });
    // real digits, not zeros: some ink in every class
    for (const d of back) expect(d.some((v) => v > 230)).toBe(true);
    // so the page's split is the CLI's, bytes and labels
    const [page, cliSplit] = [splitDigits(back, { seed: 4, train: 50, test: 20 }), splitDigits(cli, { seed: 4, train: 50, test: 20 })];
    expect(Buffer.compare(page.train.pixels!.bytes, cliSplit.train.pixels!.bytes)).toBe(0);
    expect(page.test.labels).toEqual(cliSplit.test.labels);
  });

  it('refuses what it cannot carry and says why', () => {
    const ok = Array.from({ length: 10 }, () => new Uint8Array(PIXELS));
    expect(() => encodeDigits(ok.slice(0, 9))).toThrow(/expected 10 classes, got 9/);
    const odd = ok.map((d, c) => (c === 3 ? new Uint8Array(PIXELS + 1) : d));
    expect(() => encodeDigits(odd)).toThrow(/class 3 has 785 values, not a multiple of 784/);
    const floats = ok.map((d, c) => (c === 2 ? (new Float32Array(PIXELS) as unknown as Uint8Array) : d));
    expect(() => encodeDigits(floats)).toThrow(/class 2 must be a Uint8Array of 8-bit pixels/);
  });

  it('rejects a file with the wrong magic or a size that disagrees with its header', () => {
    const bytes = encodeDigits(Array.from({ length: 10 }, () => new Uint8Array(2 * PIXELS)));
    expect(decodeDigits(bytes, 'x').map((d) => d.length / PIXELS)).toEqual(Array(10).fill(2));
    expect(() => decodeDigits(new TextEncoder().encode('<!doctype html>…'), 'digits.bin')).toThrow(/digits\.bin: not a digits file/);
    expect(() => decodeDigits(bytes.subarray(0, bytes.length - 1), 'digits.bin')).toThrow(/digits\.bin: 15727 bytes, but its header promises 15728 \(2\+2\+2\+2\+2\+2\+2\+2\+2\+2 digits\)/);
  });
});
