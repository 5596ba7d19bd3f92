/**
 * A corrupt tuning.json (the matmul tuner's on-disk cache) must never break training: garbage, truncated
 * JSON, another version, or entries of the wrong shape are treated as an empty cache (tuning again is always
 * correct), valid entries beside broken ones are kept, and the next save writes a whole, valid file.
 * (webgpu-tuner.test.ts shows a step on the GPU runs and re-tunes over such a file, including an entry that
 * names a kernel that does not exist.)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tuningCache, type TunedEntry } from '../src/backends/webgpu/tuning-cache.ts';

const entry = (kernel: string): TunedEntry => ({ shape: 'NT 8×4×3', kernel: kernel as TunedEntry['kernel'], ms: { [kernel]: 0.01 }, timing: 'wall' });

describe('tuning cache over a corrupt tuning.json', () => {
  let dir: string;
  const saved = process.env.DELTAGPU_CACHE_DIR;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'deltagpu-tuning-cache-'));
    process.env.DELTAGPU_CACHE_DIR = dir;
  });
  afterAll(() => {
    process.env.DELTAGPU_CACHE_DIR = saved;
    tuningCache.reset();
    rmSync(dir, { recursive: true, force: true });
  });
  const file = () => join(dir, 'tuning.json');

  for (const [what, text] of [
    ['binary garbage', '\u0000\u0001\u00ff not json at all'],
    ['truncated JSON', '{"version": 1, "entries": {"a|NT 8×4×3|x": {"shape": "NT 8'],
    ['another version', JSON.stringify({ version: 99, entries: { k: entry('naive') } })],
    ['entries of the wrong shape', JSON.stringify({ version: 1, entries: { k: { shape: 3, kernel: null }, j: 'naive', n: null } })],
    ['a JSON array', '[1, 2, 3]'],
    ['an empty file', ''],
  ] as const) {
    it(`${what}: read as empty; the next save writes a valid file`, async () => {
      writeFileSync(file(), text);
      tuningCache.reset();
      expect(await tuningCache.get('k')).toBeUndefined();
      expect(await tuningCache.list(() => true)).toEqual([]);
      await tuningCache.set([['fresh', entry('regblock')]]);
      const disk = JSON.parse(readFileSync(file(), 'utf8'));
      expect(disk).toEqual({ version: 1, entries: { fresh: entry('regblock') } });
    });
  }

  it('keeps the valid entries of a file that also holds broken ones', async () => {
    writeFileSync(file(), JSON.stringify({ version: 1, entries: { good: entry('wide'), bad: { kernel: 'wide' } } }));
    tuningCache.reset();
    expect(await tuningCache.get('good')).toEqual(entry('wide'));
    expect(await tuningCache.get('bad')).toBeUndefined();
  });
});
