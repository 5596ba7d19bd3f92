import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AtomicFs, writeFileAtomic } from '../src/format/atomic.ts';

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const failing = (step: keyof AtomicFs): AtomicFs => ({
  openSync: fs.openSync, writeSync: fs.writeSync, fsyncSync: fs.fsyncSync, closeSync: fs.closeSync,
  renameSync: fs.renameSync, unlinkSync: fs.unlinkSync,
  [step]: () => { throw new Error(`simulated ${step} failure`); },
});

describe('writeFileAtomic', () => {
  it('creates and replaces files with exactly the given bytes, leaving no temp files', () => {
    const p = join(dir, 'a.bin');
    writeFileAtomic(p, new Uint8Array([1, 2, 3]));
    expect(Array.from(readFileSync(p))).toEqual([1, 2, 3]);
    writeFileAtomic(p, 'hello');
    expect(readFileSync(p, 'utf8')).toBe('hello');
    const big = new Uint8Array(3_000_000).map((_, i) => i * 7);
    writeFileAtomic(p, big);
    expect(Buffer.compare(readFileSync(p), Buffer.from(big))).toBe(0);
    expect(readdirSync(dir)).toEqual(['a.bin']);
  });

  for (const step of ['writeSync', 'fsyncSync', 'renameSync'] as const) {
    it(`leaves an existing file untouched and removes the temp file when ${step} fails`, () => {
      const sub = mkdtempSync(join(dir, `${step}-`));
      const p = join(sub, 'model.safetensors');
      writeFileSync(p, 'old contents');
      expect(() => writeFileAtomic(p, new Uint8Array(1000).fill(9), failing(step)))
        .toThrow(new RegExp(`could not write .*model\\.safetensors: simulated ${step} failure`));
      expect(readFileSync(p, 'utf8')).toBe('old contents');
      expect(readdirSync(sub)).toEqual(['model.safetensors']);
    });
  }

  it('fails cleanly on a real error: the target is a directory', () => {
    const sub = mkdtempSync(join(dir, 'real-'));
    const target = join(sub, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'keep');
    expect(() => writeFileAtomic(target, 'x')).toThrow(/could not write .*taken/);
    expect(readFileSync(join(target, 'inside'), 'utf8')).toBe('keep');
    expect(readdirSync(sub)).toEqual(['taken']);
  });

  it('names the path when the directory does not exist', () => {
    expect(() => writeFileAtomic(join(dir, 'no-such-dir', 'f'), 'x')).toThrow(/could not write .*no-such-dir.*ENOENT/);
  });
});
