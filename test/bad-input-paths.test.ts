// Issue 21: output paths and IDX headers that used to train and then fail (or hang forever), or blame the
// wrong option. Each must end in a clear error naming the path or the file, before any data is loaded,
// in well under a second (timed in-process), and as a child process with exit code 1 (never a hang).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainCommand } from '../src/cli/train.ts';
import { checkWritable, makeFolder } from '../src/format/writable.ts';
import { writeFileAtomic } from '../src/format/atomic.ts';
import { CheckpointFiles } from '../src/checkpoint/file.ts';
import { IdxFormatError, encodeIdx, readIdxDims, readIdxFile } from '../src/data/idx.ts';
import { MAX_MESSAGE_CHARS, main, readableMessage } from '../src/cli/main.ts';
import { MAX_EPOCHS } from '../src/cli/options.ts';
import { tuningCache } from '../src/backends/webgpu/tuning-cache.ts';

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI as a child process; a hang is a failure (timeout), not a stuck test run. */
function cli(args: string[]): { code: number | null; out: string; err: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bin/run-ts.js', 'test/helpers/cli-entry.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, ms: performance.now() - t0 };
}

/** trainCommand in-process: its error and how long it took to come. */
async function trainError(args: string[]): Promise<{ message: string; ms: number }> {
  const t0 = performance.now();
  try {
    await trainCommand(['mnist', '--backend', 'cpu', '--quiet', ...args], () => {});
  } catch (err) {
    return { message: (err as Error).message, ms: performance.now() - t0 };
  }
  throw new Error('expected trainCommand to throw');
}

/** An IDX folder whose training images file is `images` (the labels and test split are sound). */
function idxFolder(name: string, images: Uint8Array): string {
  const d = join(dir, name);
  mkdirSync(d);
  writeFileSync(join(d, 'train-images-idx3-ubyte'), images);
  writeFileSync(join(d, 'train-labels-idx1-ubyte'), encodeIdx([2], new Uint8Array([0, 1])));
  writeFileSync(join(d, 't10k-images-idx3-ubyte'), encodeIdx([2, 28, 28], new Uint8Array(2 * 784)));
  writeFileSync(join(d, 't10k-labels-idx1-ubyte'), encodeIdx([2], new Uint8Array([0, 1])));
  return d;
}

/** An IDX header of `dims` (the images magic byte 3 = dims.length) followed by `dataBytes` zero bytes. */
function idxHeader(dims: number[], dataBytes: number): Uint8Array {
  const b = new Uint8Array(4 + 4 * dims.length + dataBytes);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x00000800 | dims.length);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d >>> 0));
  return b;
}

describe('--out that cannot be written is refused before training', () => {
  it('an empty --out names --out (it used to train, then fail renaming a temp file to "")', async () => {
    const r = await trainError(['--out', '']);
    expect(r.message).toBe('--out: the path is empty; give a file name, such as models/mnist.safetensors');
    expect(r.ms).toBeLessThan(1000);
    const c = cli(['train', 'mnist', '--out', '']);
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/^deltagpu train: --out: the path is empty/m);
    expect(c.out).not.toMatch(/data:/); // nothing was loaded
  });

  it('a folder that cannot be made (/proc/new-dir: Node\'s recursive mkdir loops there forever) fails at once', async () => {
    const r = await trainError(['--out', '/proc/new-dir/m.safetensors']);
    expect(r.message).toMatch(/^--out \/proc\/new-dir\/m\.safetensors: cannot create the folder \/proc\/new-dir: ENOENT/);
    expect(r.ms).toBeLessThan(1000);
    const c = cli(['train', 'mnist', '--out', '/proc/new-dir/m.safetensors']);
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/deltagpu train: --out \/proc\/new-dir\/m\.safetensors: cannot create the folder \/proc\/new-dir/);
    expect(c.out).not.toMatch(/data:/);
  });

  it('a file where a folder should be, and a FIFO or device as the model file, are named', async () => {
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'x');
    expect((await trainError(['--out', join(file, 'm.safetensors')])).message).toMatch(/--out .*plain\.txt\/m\.safetensors: .*plain\.txt is a file, not a folder/);
    const fifo = join(dir, 'fifo.safetensors');
    execFileSync('mkfifo', [fifo]);
    // a rename over a device node or FIFO would replace it (as root: /dev/null itself)
    expect((await trainError(['--out', fifo])).message).toMatch(/--out .*fifo\.safetensors exists and is not a regular file/);
    expect((await trainError(['--out', '/dev/null'])).message).toMatch(/--out \/dev\/null exists and is not a regular file/);
    expect((await trainError(['--out', `${dir}/new/`])).message).toMatch(/ends in a path separator, so it names a folder/);
  });

  it('the plot path and the checkpoint names get the same check', async () => {
    mkdirSync(join(dir, 'taken.svg'));
    expect((await trainError(['--out', join(dir, 'taken.safetensors')])).message).toMatch(/--out .*taken\.safetensors: the loss plot .*taken\.svg is a folder/);
    // the model's own name fits (240 + 12 < 255 bytes) but its temp file and checkpoint names do not
    const long = join(dir, `${'a'.repeat(240)}.safetensors`);
    expect((await trainError(['--out', long])).message).toMatch(/--out .*a{240}\.safetensors: cannot create a file in the folder .*: ENAMETOOLONG/);
  });

  it('the check leaves nothing behind: folders it made for the probe are removed again', () => {
    const deep = join(dir, 'x', 'y', 'z', 'm.safetensors');
    checkWritable(deep, '--out');
    expect(existsSync(join(dir, 'x'))).toBe(false);
    expect(makeFolder(join(dir, 'x', 'y'), 'test')).toEqual([join(dir, 'x'), join(dir, 'x', 'y')]);
    expect(readdirSync(join(dir, 'x'))).toEqual(['y']);
  });

  it('checkpoint.path gets it too (library), and writeFileAtomic refuses an empty name before writing', () => {
    const t0 = performance.now();
    expect(() => new CheckpointFiles('/proc/new-dir/ck.safetensors', 1)).toThrow(/^checkpoint\.path \/proc\/new-dir\/ck\.e9999\.s99999\.safetensors: cannot create the folder \/proc\/new-dir/);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(() => writeFileAtomic('', 'x')).toThrow(/could not write: the file name is empty/);
    expect(readdirSync('.').filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('linear-fit --out: checked before fitting (an empty one used to be ignored, an unmakeable folder failed after)', () => {
    const empty = cli(['linear-fit', '--out', '', '--epochs', '1']);
    expect(empty.code).toBe(1);
    expect(empty.err).toMatch(/deltagpu linear-fit: --out: the path is empty/);
    const proc = cli(['linear-fit', '--out', '/proc/new-dir/fit.svg', '--epochs', '1']);
    expect(proc.code).toBe(1);
    expect(proc.err).toMatch(/--out \/proc\/new-dir\/fit\.svg: cannot create the folder \/proc\/new-dir/);
    expect(proc.out).toBe('');
    const ok = join(dir, 'plots', 'fit.svg');
    const done = cli(['linear-fit', '--out', ok, '--epochs', '2', '--backend', 'cpu']);
    expect(done.code).toBe(0);
    expect(existsSync(ok)).toBe(true);
  });
});

describe('IDX headers that lie', () => {
  it('255 dimensions of 0xFFFFFFFF: refused naming the count, in a short message', async () => {
    const p = join(dir, 'many-idx3-ubyte');
    writeFileSync(p, idxHeader(new Array(255).fill(0xffffffff), 0));
    expect(() => readIdxFile(p)).toThrow(IdxFormatError);
    expect(() => readIdxFile(p)).toThrow(/many-idx3-ubyte: IDX header declares 255 dimensions; an IDX image file has 3 \(count, rows, cols\) and a label file 1 \(count\)/);
    const d = idxFolder('many', idxHeader(new Array(255).fill(0xffffffff), 0));
    const r = await trainError(['--data', d]);
    expect(r.message).toMatch(/train-images-idx3-ubyte/);
    expect(r.message.length).toBeLessThan(300);
    // 4 dimensions is one too many as well; 3 and 1 stay fine
    writeFileSync(p, idxHeader([1, 1, 1, 1], 1));
    expect(() => readIdxFile(p)).toThrow(/declares 4 dimensions/);
    expect(readIdxDims(join(d, 't10k-labels-idx1-ubyte'))).toEqual([2]);
  });

  it('60000×65535×65535 declared over 100 bytes blames the file, not --layers', async () => {
    const d = idxFolder('liar', idxHeader([60000, 65535, 65535], 100));
    const r = await trainError(['--data', d]);
    expect(r.message).toMatch(/liar\/train-images-idx3-ubyte: IDX dimensions 60000×65535×65535 declare \d+ bytes, above the 1073741824-byte \(1 GiB\) limit/);
    expect(r.message).not.toMatch(/--layers/);
    expect(r.ms).toBeLessThan(1000);
    // within the limit but still longer than the file: truncated, named before any network is sized
    const short = idxFolder('short', idxHeader([60000, 28, 28], 100));
    expect((await trainError(['--data', short, '--layers', '8'])).message).toMatch(/short\/train-images-idx3-ubyte: truncated IDX file: dimensions 60000×28×28 need 47040016 bytes, got 116/);
    const c = cli(['train', 'mnist', '--data', d]);
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/IDX dimensions 60000×65535×65535/);
    expect(c.err).not.toMatch(/--layers/);
  });
});

describe('every CLI error is a readable summary', () => {
  it('a value of 100,000 characters echoed back is cut to the start and end of the message', () => {
    const c = cli(['train', 'mnist', '--layers', '7'.repeat(50_000) + 'x'.repeat(50_000)]);
    expect(c.code).toBe(1);
    const line = c.err.trim().split('\n').find((l) => l.startsWith('deltagpu train:'))!;
    expect(line.length).toBeLessThan(MAX_MESSAGE_CHARS + 100);
    // the start names the item (the --layers grammar's message); the end is the grammar's own text
    expect(line).toMatch(/^deltagpu train: --layers: item '7{100,} … \(\d+ characters left out\) … \S.*$/);
  });

  it('readableMessage keeps short messages whole and says how much of a long one it left out', () => {
    expect(readableMessage('short')).toBe('short');
    const long = 'a'.repeat(700) + 'b'.repeat(300);
    const cut = readableMessage(long, 100);
    expect(cut).toBe(`${'a'.repeat(70)} … (900 characters left out) … ${'b'.repeat(30)}`);
  });
});

describe('seed-model commands: an epoch count that would never end', () => {
  it("'--epochs 1e300' is an integer to Number(); every command refuses more than MAX_EPOCHS at once", async () => {
    expect(MAX_EPOCHS).toBe(1_000_000);
    const errors: string[] = [];
    const saved = console.error;
    console.error = (s: unknown) => void errors.push(String(s));
    try {
      for (const cmd of [['xor'], ['xor', '--bias'], ['prices'], ['perceptron', '--gate', 'and'], ['linear-fit'], ['rbf', '--example', 'xor', '--train'], ['train', 'mnist']]) {
        errors.length = 0;
        const t0 = performance.now();
        expect(await main([...cmd, '--epochs', '1e300'], () => {}), cmd.join(' ')).toBe(1);
        expect(performance.now() - t0).toBeLessThan(1000);
        expect(errors.join('\n')).toMatch(new RegExp(`deltagpu ${cmd[0]}: --epochs must be at most 1000000, got '1e300'`));
      }
      errors.length = 0;
      expect(await main(['xor', '--epochs', '1000001'], () => {})).toBe(1);
      expect(errors.join('\n')).toMatch(/--epochs must be at most 1000000, got '1000001'/);
      // rbf without --train computes the lecture's network: --epochs there was ignored silently
      errors.length = 0;
      expect(await main(['rbf', '--example', 'xor', '--epochs', '5'], () => {})).toBe(1);
      expect(errors.join('\n')).toMatch(/deltagpu rbf: --epochs only applies with --train/);
    } finally {
      console.error = saved;
    }
  });
});

describe('the WebGPU tuning cache folder', () => {
  it('DELTAGPU_CACHE_DIR under /proc: the save gives up at once (recursive mkdirSync hung every GPU run there)', async () => {
    const before = process.env.DELTAGPU_CACHE_DIR;
    process.env.DELTAGPU_CACHE_DIR = '/proc/new-dir/deltagpu';
    tuningCache.reset();
    try {
      const t0 = performance.now();
      await tuningCache.set([['test-key', { shape: '1x1x1', kernel: 'naive', ms: { naive: 1 } } as never]]);
      expect(performance.now() - t0).toBeLessThan(1000);
      // kept for this process, as with a read-only home
      expect((await tuningCache.get('test-key'))?.kernel).toBe('naive');
    } finally {
      if (before === undefined) delete process.env.DELTAGPU_CACHE_DIR;
      else process.env.DELTAGPU_CACHE_DIR = before;
      tuningCache.reset();
    }
  });
});
