/**
 * The size limits that guard the readers, each at its edge, on sparse files (no disk used, nothing read):
 * a PNG for `deltagpu predict` may have 256 MiB (MAX_PNG_FILE_BYTES), a model file 2 GiB − 1
 * (MAX_MODEL_FILE_BYTES). One byte more is refused by fstat, with the limit named, before a byte is read
 * (reading would take seconds and gigabytes; these take milliseconds).
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { MAX_PNG_FILE_BYTES, predictInputs } from '../src/cli/predict.ts';
import { MAX_MODEL_FILE_BYTES, loadSafetensors } from '../src/format/safetensors-file.ts';
import { InputFileError, openInputFile } from '../src/format/read-file.ts';
import { loadModel } from '../src/io/model-file.ts';
import { main } from '../src/cli/main.ts';
import { saveModel } from '../src/io/model-file.ts';
import { dense, sequential } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** a sparse file of `size` bytes starting with `head` */
function sparse(name: string, size: number, head: Uint8Array = new Uint8Array(0)): string {
  const p = join(dir, name);
  writeFileSync(p, head);
  truncateSync(p, size);
  return p;
}

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

describe('input size limits', () => {
  it('MAX_PNG_FILE_BYTES is 256 MiB and MAX_MODEL_FILE_BYTES 2 GiB − 1 (one read in Node)', () => {
    expect(MAX_PNG_FILE_BYTES).toBe(268_435_456);
    expect(MAX_MODEL_FILE_BYTES).toBe(2_147_483_647);
  });

  it('a PNG of 256 MiB + 1 byte is refused by predict with the limit named; 256 MiB passes the size check', () => {
    const big = sparse('big.png', MAX_PNG_FILE_BYTES + 1, PNG_SIGNATURE);
    const t0 = performance.now();
    expect(() => predictInputs(big, 784)).toThrow(InputFileError);
    expect(() => predictInputs(big, 784)).toThrow(`PNG file ${big} has 268435457 bytes, above the limit of 268435456 bytes (256 MiB) for a PNG file`);
    expect(performance.now() - t0).toBeLessThan(2000); // refused by fstat: nothing was read or inflated
    // at the limit: opened (the size check passes); not read here
    const edge = sparse('edge.png', MAX_PNG_FILE_BYTES, PNG_SIGNATURE);
    const f = openInputFile(edge, 'PNG file', MAX_PNG_FILE_BYTES);
    expect(f.size).toBe(MAX_PNG_FILE_BYTES);
    f.close();
  });

  it('`deltagpu predict MODEL big.png` exits 1 naming the PNG limit', async () => {
    const modelPath = join(dir, 'digits.safetensors');
    await saveModel(sequential([dense(784, 10, { activation: 'softmax' })], { seed: 1 }), modelPath);
    const big = sparse('cli-big.png', MAX_PNG_FILE_BYTES + 1, PNG_SIGNATURE);
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    let code: number;
    try {
      code = await main(['predict', modelPath, big, '--backend', 'cpu'], () => {});
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(1);
    expect(errors.join('\n')).toContain(`deltagpu predict: PNG file ${big} has 268435457 bytes, above the limit of 268435456 bytes (256 MiB)`);
  });

  it('a model file of 2 GiB is refused by loadSafetensors and loadModel with the limit named, before reading', async () => {
    const big = sparse('big.safetensors', MAX_MODEL_FILE_BYTES + 1);
    const t0 = performance.now();
    expect(() => loadSafetensors(big)).toThrow(`model file ${big} has 2147483648 bytes, above the limit of 2147483647 bytes (2048 MiB) for a model file`);
    await expect(loadModel(big, { backend: 'cpu' })).rejects.toThrow(/has 2147483648 bytes, above the limit of 2147483647 bytes/);
    expect(performance.now() - t0).toBeLessThan(2000);
    // at the limit: the size check passes (opened, not read)
    const edge = sparse('edge.safetensors', MAX_MODEL_FILE_BYTES);
    const f = openInputFile(edge, 'model file', MAX_MODEL_FILE_BYTES);
    expect(f.size).toBe(MAX_MODEL_FILE_BYTES);
    f.close();
    // and a directory or a FIFO-like non-file is refused by kind, not read
    expect(() => loadSafetensors(dir)).toThrow(/is a directory, expected a regular file/);
  });
});
