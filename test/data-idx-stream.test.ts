/**
 * Issue 11: IDX files are read by their header first and then streamed into the one array that holds the
 * data. A plain file's payload arrives in READ_CHUNK_BYTES pieces straight into `data` (its own buffer, not a
 * view of a whole-file copy); a header that claims more than the file has, or a gzip file larger than any
 * gzip of its declared data, is refused before anything the size of the claim is allocated.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { IdxFormatError, encodeIdx, parseIdx, readIdxFile } from '../src/data/idx.ts';
import { READ_CHUNK_BYTES } from '../src/format/read-file.ts';
import { Random } from '../src/random.ts';

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-idx-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** n images of 28×28 with seeded pixel values (every byte value occurs, none of them position-derived). */
function images(n: number): Uint8Array {
  const rng = new Random(11);
  return Uint8Array.from({ length: n * 784 }, () => Math.floor(rng.next() * 256));
}

/** The ArrayBuffer bytes allocated while `f` runs and throws, garbage included (no GC in between). */
function bufferGrowth(f: () => unknown): number {
  const before = process.memoryUsage().arrayBuffers;
  expect(f).toThrow(IdxFormatError);
  return process.memoryUsage().arrayBuffers - before;
}

describe('IDX files read by header, then streamed', () => {
  // 2.5 chunks of pixels: the chunk loop's first, middle and short last read all run
  const n = Math.ceil((2.5 * READ_CHUNK_BYTES) / 784);
  const pixels = images(n);
  const whole = encodeIdx([n, 28, 28], pixels);

  it('a plain file larger than several read chunks gives exactly what parsing the whole file gives, in its own buffer', () => {
    const got = readIdxFile(write('big-idx3-ubyte', whole), 0x803);
    const ref = parseIdx(whole, 'ref', 0x803);
    expect(got.magic).toBe(ref.magic);
    expect(got.dims).toEqual([n, 28, 28]);
    expect(got.data.length).toBe(n * 784);
    expect(Buffer.compare(got.data, ref.data)).toBe(0);
    // the destination array itself, no header in front and nothing behind: no whole-file buffer was made
    expect([got.data.byteOffset, got.data.buffer.byteLength]).toEqual([0, n * 784]);
  });

  it('a gzipped file gives the same data, inflated into one buffer capped at the declared size', () => {
    const got = readIdxFile(write('big-idx3-ubyte.gz', gzipSync(whole, { level: 1 })), 0x803);
    expect(got.dims).toEqual([n, 28, 28]);
    expect(Buffer.compare(got.data, pixels)).toBe(0);
    expect(got.data.buffer.byteLength).toBeLessThanOrEqual(whole.length + 1);
  });

  it('a gzip header with a 30 KB file name still gives its IDX header; one of 100 KB is refused by name', () => {
    const small = encodeIdx([2, 28, 28], pixels.subarray(0, 2 * 784));
    const plain = gzipSync(small);
    // FLG.FNAME (0x08): a zero-terminated name follows the 10-byte header
    const named = (len: number) => new Uint8Array([...plain.subarray(0, 3), 0x08, ...plain.subarray(4, 10), ...new Uint8Array(len).fill(0x61), 0, ...plain.subarray(10)]);
    const got = readIdxFile(write('named-idx3-ubyte.gz', named(30_000)), 0x803);
    expect(Buffer.compare(got.data, pixels.subarray(0, 2 * 784))).toBe(0);
    const p = write('longname-idx3-ubyte.gz', named(100_000));
    expect(() => readIdxFile(p, 0x803)).toThrow(/longname-idx3-ubyte\.gz: gzip data gives no whole IDX header from its first 65536 bytes/);
  });

  it('a header claiming 784 MB in a 116-byte file is refused by its sizes, with nothing big allocated', () => {
    const liar = encodeIdx([1, 28, 28], pixels.subarray(0, 784)).slice();
    new DataView(liar.buffer).setUint32(4, 1_000_000, false); // 1,000,000 images declared, 1 present
    const p = write('liar-idx3-ubyte', liar);
    expect(() => readIdxFile(p, 0x803)).toThrow(/liar-idx3-ubyte: truncated IDX file: dimensions 1000000×28×28 need 784000016 bytes, got 800/);
    expect(bufferGrowth(() => readIdxFile(p, 0x803))).toBeLessThan(2 ** 20);
  });

  it('a file cut in the middle of its payload names what its dimensions need and what it has', () => {
    const cut = write('cut-idx3-ubyte', whole.subarray(0, whole.length - 3 * 784 - 5));
    expect(() => readIdxFile(cut, 0x803)).toThrow(new RegExp(`cut-idx3-ubyte: truncated IDX file: dimensions ${n}×28×28 need ${whole.length} bytes, got ${whole.length - 3 * 784 - 5}`));
  });

  it('a gzip file far larger than any gzip of its declared data is refused before it is read', () => {
    // one image declared, then a second gzip member of 3 MiB that does not compress
    const head = gzipSync(encodeIdx([1, 28, 28], new Uint8Array(784)));
    const rng = new Random(3);
    const junk = gzipSync(Uint8Array.from({ length: 3 * 2 ** 20 }, () => Math.floor(rng.next() * 256)));
    const p = write('padded-idx3-ubyte.gz', new Uint8Array([...head, ...junk]));
    expect(() => readIdxFile(p, 0x803)).toThrow(/padded-idx3-ubyte\.gz: gzip file has \d+ bytes, more than the 1049377 any gzip of the 800 bytes its IDX header declares needs/);
    expect(bufferGrowth(() => readIdxFile(p, 0x803))).toBeLessThan(2 ** 20);
  });

});
