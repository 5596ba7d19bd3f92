import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeIdx, findIdxFiles, idxCandidates, loadIdxFiles, loadIdxFolder, parseIdx, readIdxFile,
} from '../src/data/idx.ts';

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * IDX bytes assembled by hand, byte by byte, from the published layout, so the reader is checked against the
 * format rather than against our own encoder.
 */
function handIdx(magic: number, dims: number[], data: number[]): Uint8Array {
  const out: number[] = [(magic >>> 24) & 255, (magic >>> 16) & 255, (magic >>> 8) & 255, magic & 255];
  for (const d of dims) out.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return new Uint8Array([...out, ...data]);
}

// Three 2×3 "images" with distinct pixel values, and their labels.
const N = 3, H = 2, W = 3;
const pixels = Array.from({ length: N * H * W }, (_, i) => (i * 37) % 256);
pixels[0] = 255;
const labels = [7, 0, 9];
const imagesBytes = handIdx(0x00000803, [N, H, W], pixels);
const labelsBytes = handIdx(0x00000801, [N], labels);

function write(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe('IDX reader', () => {
  it('reads big-endian sizes from a hand-built file (sizes ≥ 256 included)', () => {
    const big = handIdx(0x00000803, [1, 2, 300], new Array(600).fill(1));
    expect(parseIdx(big).dims).toEqual([1, 2, 300]);
    const a = parseIdx(imagesBytes, 'x', 0x00000803);
    expect(a.dims).toEqual([N, H, W]);
    expect(Array.from(a.data)).toEqual(pixels);
  });

  it('loads plain and gzipped files into the same Dataset, pixels /255', () => {
    for (const gz of [false, true]) {
      const tag = gz ? 'gz' : 'plain';
      const img = write(`img-${tag}`, gz ? gzipSync(imagesBytes) : imagesBytes);
      const lab = write(`lab-${tag}`, gz ? gzipSync(labelsBytes) : labelsBytes);
      const ds = loadIdxFiles(img, lab);
      expect([ds.x.rows, ds.x.cols, ds.width, ds.height, ds.classes]).toEqual([N, H * W, W, H, 10]);
      expect(Array.from(ds.labels)).toEqual(labels);
      for (let i = 0; i < pixels.length; i++) expect(ds.x.data[i]).toBeCloseTo(pixels[i] / 255, 7);
      expect(ds.x.data[0]).toBe(1);
      for (let r = 0; r < N; r++) expect(ds.y.data[r * 10 + labels[r]]).toBe(1);
      expect(ds.y.data.reduce((a, b) => a + b, 0)).toBe(N);
    }
  });

  it('encodeIdx writes the published layout, plain and gzipped', () => {
    expect(Array.from(encodeIdx([N, H, W], new Uint8Array(pixels)))).toEqual(Array.from(imagesBytes));
    const back = readIdxFile(write('enc2.gz', encodeIdx([N], new Uint8Array(labels), { gzip: true })), 0x801);
    expect(Array.from(back.data)).toEqual(labels);
  });

  it('rejects a wrong magic, saying what was found and what was expected', () => {
    const img = write('swapped-images', labelsBytes);
    const lab = write('swapped-labels', imagesBytes);
    expect(() => loadIdxFiles(img, lab)).toThrow(/swapped-images: wrong magic number: found 0x00000801 \(IDX labels\), expected 0x00000803 \(IDX images\)/);
    const junk = write('junk', new TextEncoder().encode('hello world, not idx'));
    expect(() => readIdxFile(junk, 0x803)).toThrow(/junk: wrong magic number: found 0x68656c6c, expected 0x00000803/);
    expect(() => readIdxFile(junk)).toThrow(/not an IDX file/);
  });

  it('rejects a truncated file with expected and actual sizes', () => {
    const cut = write('cut', imagesBytes.subarray(0, imagesBytes.length - 5));
    expect(() => readIdxFile(cut, 0x803)).toThrow(new RegExp(`cut: truncated IDX file: dimensions 3×2×3 need ${imagesBytes.length} bytes, got ${imagesBytes.length - 5}`));
    const cutHeader = write('cut-header', imagesBytes.subarray(0, 10));
    expect(() => readIdxFile(cutHeader)).toThrow(/truncated IDX file: expected a 16-byte header for 3 dimensions, got 10 bytes/);
    const cutGz = write('cut.gz', gzipSync(imagesBytes).subarray(0, 20));
    expect(() => readIdxFile(cutGz)).toThrow(/cut\.gz: looks gzipped .* does not unpack/);
    const long = write('long', new Uint8Array([...imagesBytes, 1, 2]));
    expect(() => readIdxFile(long)).toThrow(/2 bytes after its data/);
  });

  it('rejects a label count that does not match the image count', () => {
    const img = write('count-img', imagesBytes);
    const lab = write('count-lab', handIdx(0x801, [2], [1, 2]));
    expect(() => loadIdxFiles(img, lab)).toThrow(/label count does not match image count: .*count-lab has 2 labels but .*count-img has 3 images/);
  });

  it('rejects labels out of range for the number of classes', () => {
    const img = write('range-img', imagesBytes);
    const lab = write('range-lab', handIdx(0x801, [3], [1, 10, 2]));
    expect(() => loadIdxFiles(img, lab)).toThrow(/range-lab: label 10 at index 1 is out of range for 10 classes/);
    const lab2 = write('range-lab2', labelsBytes);
    expect(() => loadIdxFiles(img, lab2, { classes: 8 })).toThrow(/label 9 at index 2 is out of range for 8 classes/);
  });

  it('rejects unsupported element types', () => {
    const f = handIdx(0x00000d01, [1], [0, 0, 0, 0]);
    expect(() => parseIdx(f, 'floats')).toThrow(/floats: IDX element type 0x0d is not supported/);
  });
});

describe('IDX folders', () => {
  it('finds canonical names, gzipped or not, and the dotted variant', () => {
    const layouts: Record<string, string[]> = {
      canonical: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
      gz: ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'],
      dotted: ['train-images.idx3-ubyte', 'train-labels.idx1-ubyte', 't10k-images.idx3-ubyte', 't10k-labels.idx1-ubyte'],
    };
    for (const [name, files] of Object.entries(layouts)) {
      const folder = mkdtempSync(join(dir, `${name}-`));
      const gz = name === 'gz';
      const testLabels = handIdx(0x801, [N], [1, 2, 3]);
      writeFileSync(join(folder, files[0]), gz ? gzipSync(imagesBytes) : imagesBytes);
      writeFileSync(join(folder, files[1]), gz ? gzipSync(labelsBytes) : labelsBytes);
      writeFileSync(join(folder, files[2]), gz ? gzipSync(imagesBytes) : imagesBytes);
      writeFileSync(join(folder, files[3]), gz ? gzipSync(testLabels) : testLabels);
      const train = loadIdxFolder(folder, { split: 'train' });
      const test = loadIdxFolder(folder, { split: 'test' });
      expect(Array.from(train.labels)).toEqual(labels);
      expect(Array.from(test.labels)).toEqual([1, 2, 3]);
      expect(test.source).toContain('(test)');
      expect(findIdxFiles(folder, 'test').images).toBe(join(folder, files[2]));
    }
  });

  it('lists every name it looked for when a file is missing', () => {
    const folder = mkdtempSync(join(dir, 'missing-'));
    writeFileSync(join(folder, 'train-images-idx3-ubyte'), imagesBytes);
    let message = '';
    try { loadIdxFolder(folder, { split: 'train' }); } catch (e) { message = (e as Error).message; }
    expect(message).toContain(`no train labels file in ${folder}`);
    for (const name of idxCandidates('train', 'labels')) expect(message).toContain(name);
    expect(message).toContain('train-labels-idx1-ubyte.gz');
    expect(message).toContain('train-labels.idx1-ubyte');
    expect(() => loadIdxFolder(join(dir, 'nope'), { split: 'test' })).toThrow(/does not exist/);
  });
});
