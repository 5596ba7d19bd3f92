// Issue 21: a checkpoint is a file, so the CLI settings it carries for --resume may be damaged or hostile.
// Each is checked like a command-line option before it replaces one, and refused by name.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainCommand } from '../src/cli/train.ts';
import { readCheckpoint } from '../src/checkpoint/file.ts';
import { encodeCheckpoint } from '../src/checkpoint/state.ts';
import type { Checkpoint } from '../src/checkpoint/state.ts';

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SMALL = ['mnist', '--backend', 'cpu', '--quiet', '--train', '100', '--test', '20', '--layers', '4', '--batch-size', '10'];
let ck: Checkpoint;

beforeAll(async () => {
  const quiet = process.stderr.write;
  process.stderr.write = () => true;
  try {
    await trainCommand([...SMALL, '--epochs', '1', '--checkpoint-every', '1', '--out', join(dir, 'm.safetensors')], () => {});
  } finally {
    process.stderr.write = quiet;
  }
  ck = readCheckpoint(join(dir, 'm.ckpt.e0001.safetensors'));
}, 120_000);

/** --resume from a copy of the checkpoint whose CLI settings are `cli` (raw JSON, so __proto__ stays a key). */
async function resumeWith(cli: string): Promise<string> {
  const file = join(dir, 'bad.ckpt.safetensors');
  writeFileSync(file, encodeCheckpoint({ ...ck, extra: JSON.parse(`{"cli": ${cli}}`) }));
  try {
    await trainCommand(['--resume', file, '--epochs', '2', '--quiet'], () => {});
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected --resume to refuse the checkpoint');
}

describe('--resume: the checkpoint\'s CLI settings', () => {
  it('were written by train as plain options (the oracle: what the command line gave)', () => {
    expect(ck.extra.cli).toMatchObject({ layers: '4', 'batch-size': '10', train: '100', backend: 'cpu' });
  });

  it('a number or list where text belongs is refused naming the option (was "value.split is not a function")', async () => {
    expect(await resumeWith('{"layers": 5, "batch-size": "10"}')).toMatch(/--resume .*bad\.ckpt\.safetensors: the checkpoint's CLI setting --layers is number, expected text or true\/false/);
    expect(await resumeWith('{"activation": ["relu"]}')).toMatch(/CLI setting --activation is a list/);
    expect(await resumeWith('{"seed": null}')).toMatch(/CLI setting --seed is null/);
  });

  it('a __proto__ key is refused (Object.assign would replace the options\' prototype and drop every saved setting)', async () => {
    expect(await resumeWith('{"__proto__": {"help": true}, "layers": "4", "batch-size": "10"}')).toMatch(/CLI settings hold "__proto__", which is not an option name/);
    expect(await resumeWith('[]')).toMatch(/the checkpoint was not written by 'deltagpu train'|CLI settings are a list/);
  });

  it('settings that parse are judged like the command line: a hostile --out or --layers is named', async () => {
    expect(await resumeWith('{"layers": "4", "batch-size": "10", "train": "100", "test": "20", "backend": "cpu", "out": ""}')).toMatch(/^--out: the path is empty/);
    expect(await resumeWith('{"layers": "1e9", "batch-size": "10"}')).toMatch(/^--layers: hidden layer 1 of 1 must be/);
  });
});
