/**
 * The fuzz run of test/fuzz-readers.test.ts, in its own process so its peak memory can be read from
 * /proc/self/status (VmHWM) per case: writing 5 to /proc/self/clear_refs resets the peak to the current RSS.
 * Usage: node --expose-gc bin/run-ts.js test/helpers/fuzz-child.ts SEED CASES_PER_FORMAT
 * Prints one JSON object: every case's reader, mutation, input size, outcome and peak RSS growth.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Random } from '../../src/random.ts';
import { encodeIdx, idxToDataset, readIdxFile } from '../../src/data/idx.ts';
import { crc32, encodePng, pngToMnistInput } from '../../src/data/png.ts';
import { decodeSafetensors, encodeSafetensors } from '../../src/format/safetensors.ts';
import { decodeModel, encodeModel } from '../../src/io/model-bytes.ts';
import { dense, sequential } from '../../src/index.ts';
import { hugeDeclaredModel, idxGzipBomb, ihdr, pngBomb, pngChunk, pngFile } from './hostile.ts';

type Reader = 'idx' | 'idx.gz' | 'png' | 'safetensors' | 'model';
const OWN_ERRORS: Record<Reader, string[]> = {
  idx: ['IdxFormatError'],
  'idx.gz': ['IdxFormatError'],
  png: ['PngFormatError'],
  safetensors: ['SafetensorsFormatError'],
  model: ['ModelFormatError', 'SafetensorsFormatError'],
};

const seed = Number(process.argv[2] ?? 1);
const perFormat = Number(process.argv[3] ?? 60);
const rng = new Random(seed);
const dir = mkdtempSync(join(tmpdir(), 'deltagpu-fuzz-'));
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function status(key: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}
let canReset = true;
function resetPeak(): void {
  try { writeFileSync('/proc/self/clear_refs', '5'); } catch { canReset = false; }
}

// ---- valid seed files ----
const images = new Uint8Array(6 * 8 * 8).map(() => rng.int(256));
const idxPlain = encodeIdx([6, 8, 8], images);
const pixels = new Uint8Array(12 * 10 * 4).map(() => rng.int(256));
const png = encodePng({ width: 12, height: 10, channels: 4, data: pixels }, { filter: 'cycle' });
const model = sequential([dense(4, 3, { activation: 'relu' }), dense(3, 2, { activation: 'softmax' })], { seed: 5 });
model.compile({ loss: 'categoricalCrossentropy', backend: 'cpu' });
const modelBytes = await encodeModel(model);

// ---- the readers, each to a valid result or its own error ----
let fileNo = 0;
async function read(reader: Reader, bytes: Uint8Array): Promise<void> {
  if (reader === 'idx' || reader === 'idx.gz') {
    const path = join(dir, `f${fileNo++}`);
    writeFileSync(path, bytes);
    try {
      const a = readIdxFile(path);
      if (a.dims.length === 3) idxToDataset(a, { magic: 0x801, dims: [a.dims[0]], data: new Uint8Array(a.dims[0]) });
    } finally {
      rmSync(path);
    }
  } else if (reader === 'png') {
    pngToMnistInput(bytes, 'fuzz.png');
  } else if (reader === 'safetensors') {
    decodeSafetensors(bytes, 'fuzz.safetensors');
  } else {
    const { model: m } = await decodeModel(bytes, 'fuzz.safetensors', { backend: 'cpu' });
    await m.dispose();
  }
}

// ---- mutations ----
const u32be = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0, false);
const HUGE = [0xffffffff, 0x80000000, 0x7fffffff, 65536, 1 << 24, 60000];
const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];

function flip(src: Uint8Array): Uint8Array {
  const b = src.slice();
  const n = 1 + rng.int(8);
  for (let i = 0; i < n; i++) b[rng.int(b.length)] ^= 1 << rng.int(8);
  return b;
}
const truncate = (src: Uint8Array) => src.slice(0, rng.int(src.length));

/** Recomputes every chunk's CRC, so a PNG mutation reaches the code past the CRC check. */
function fixCrcs(b: Uint8Array): Uint8Array {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let pos = 8; pos + 12 <= b.length;) {
    const len = v.getUint32(pos);
    if (pos + 12 + len > b.length) break;
    v.setUint32(pos + 8 + len, crc32(b, pos + 4, pos + 8 + len));
    pos += 12 + len;
  }
  return b;
}

function mutateIdx(gz: boolean): [string, Uint8Array] {
  const kind = rng.int(3);
  let b: Uint8Array, what: string;
  if (kind === 0) { b = flip(idxPlain); what = 'flip'; }
  else if (kind === 1) { b = truncate(idxPlain); what = 'truncate'; }
  else { b = idxPlain.slice(); const d = rng.int(4); u32be(b, 4 + 4 * Math.min(d, 2), pick(HUGE)); what = `dim ${d} huge`; if (d === 3) b[3] = 255; }
  if (!gz) return [what, b];
  const z = gzipSync(b);
  // sometimes spoil the gzip stream itself instead of what it carries
  const r = rng.int(3);
  return r === 0 ? [`${what}, gzipped`, z] : r === 1 ? [`${what}, gzip flipped`, flip(z)] : [`${what}, gzip truncated`, truncate(z)];
}

function mutatePng(): [string, Uint8Array] {
  const kind = rng.int(4);
  const crc = rng.int(2) === 0;
  let b: Uint8Array, what: string;
  if (kind === 0) { b = flip(png); what = 'flip'; }
  else if (kind === 1) { b = truncate(png); what = 'truncate'; }
  else if (kind === 2) { b = png.slice(); u32be(b, 16 + 4 * rng.int(2), pick(HUGE)); what = 'IHDR size huge'; }
  else {
    b = png.slice();
    // a chunk length field: IHDR's (at 8) or the IDAT after it (at 33)
    u32be(b, pick([8, 33]), pick(HUGE));
    what = 'chunk length huge';
  }
  return [crc ? `${what}, CRCs fixed` : what, crc ? fixCrcs(b) : b];
}

function mutateSafetensors(src: Uint8Array): [string, Uint8Array] {
  const kind = rng.int(4);
  if (kind === 0) return ['flip', flip(src)];
  if (kind === 1) return ['truncate', truncate(src)];
  if (kind === 2) {
    const b = src.slice();
    new DataView(b.buffer).setUint32(rng.int(2) * 4, pick(HUGE), true);
    return ['header length huge', b];
  }
  // a shape or offset in the header JSON set huge, the file re-encoded around it
  const v = new DataView(src.buffer, src.byteOffset);
  const n = v.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(src.subarray(8, 8 + n))) as Record<string, { shape: number[]; data_offsets: number[] }>;
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const t = header[pick(names)];
  const field = rng.int(2) === 0 ? t.shape : t.data_offsets;
  field[rng.int(field.length)] = pick([...HUGE, 2 ** 40, 2_000_000]);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + (src.length - 8 - n));
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(src.subarray(8 + n), 8 + json.length);
  return ['shape/offset huge', out];
}

/** A saved model's metadata spoiled: a size set huge, a field of the wrong type, a tensor added or dropped. */
function mutateModel(): [string, Uint8Array] {
  if (rng.int(2) === 0) return mutateSafetensors(modelBytes);
  const { tensors, metadata } = decodeSafetensors(modelBytes);
  const arch = JSON.parse(metadata.architecture) as Record<string, unknown>[];
  const kind = rng.int(5);
  let what: string;
  if (kind === 0) { const l = pick(arch); l[pick(['inputs', 'units'])] = pick([...HUGE, 2_000_000, 0, -1, 1.5]); what = 'architecture size huge or odd'; }
  else if (kind === 1) { const l = pick(arch); l[pick(['activation', 'bias', 'alpha', 'units'])] = pick([null, 'x', '3', true, 1e400, [] as unknown]); what = 'architecture field of the wrong type'; }
  else if (kind === 2) { tensors[pick(['layers.2.weight', 'layers.0.extra', 'layers.1.bias'])] = { dtype: 'F32', shape: [1], data: new Float32Array(1) }; what = 'a tensor added'; }
  else if (kind === 3) { delete tensors[pick(Object.keys(tensors))]; what = 'a tensor dropped'; }
  else { metadata[pick(['architecture', 'training', 'seed'])] = pick(['{', '', 'null', '[]', '{"loss":"hinge"}', '-3', '1e999']); what = 'metadata not what we wrote'; }
  if (kind <= 1) metadata.architecture = JSON.stringify(arch);
  return [what, encodeSafetensors(tensors, metadata)];
}

const safetensorsPlain = encodeSafetensors({ a: { dtype: 'F32', shape: [3, 4], data: new Float32Array(12).fill(0.5) }, b: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } }, { note: 'x' });

// ---- the cases ----
const cases: { reader: Reader; mutation: string; bytes: Uint8Array }[] = [];
for (let i = 0; i < perFormat; i++) {
  cases.push({ reader: 'idx', mutation: '', bytes: new Uint8Array() });
  cases.push({ reader: 'idx.gz', mutation: '', bytes: new Uint8Array() });
  cases.push({ reader: 'png', mutation: '', bytes: new Uint8Array() });
  cases.push({ reader: 'safetensors', mutation: '', bytes: new Uint8Array() });
  cases.push({ reader: 'model', mutation: '', bytes: new Uint8Array() });
}
for (const c of cases) {
  const [m, b] = c.reader === 'idx' ? mutateIdx(false) : c.reader === 'idx.gz' ? mutateIdx(true) : c.reader === 'png' ? mutatePng() : c.reader === 'model' ? mutateModel() : mutateSafetensors(safetensorsPlain);
  c.mutation = m;
  c.bytes = b;
}
// the hostile files, each of which once climbed past 1–2.5 GB
const named: typeof cases = [
  { reader: 'idx.gz', mutation: 'hostile: gzip bomb, 1 image declared, 128 MiB inflated', bytes: idxGzipBomb(128) },
  { reader: 'png', mutation: 'hostile: IDAT bomb, 28×28 declared, 64 MiB inflated', bytes: pngBomb(64) },
  { reader: 'png', mutation: 'hostile: 8192×8192 RGBA', bytes: pngFile([pngChunk('IHDR', ihdr(8192, 8192, 6)), pngChunk('IDAT', new Uint8Array(2000)), pngChunk('IEND', new Uint8Array(0))]) },
  { reader: 'model', mutation: 'hostile: 784 → 2,000,000 units in a 300-byte file', bytes: hugeDeclaredModel() },
  { reader: 'idx', mutation: 'valid', bytes: idxPlain },
  { reader: 'png', mutation: 'valid', bytes: png },
  { reader: 'model', mutation: 'valid', bytes: modelBytes },
];

// warm up every path once (JIT, lazy module state) so it is not billed to the first case
for (const c of [...named.slice(4), ...cases.slice(0, 10)]) { try { await read(c.reader, c.bytes); } catch { /* measured below */ } }

const results = [];
const all = [...named, ...cases];
for (const [i, c] of all.entries()) {
  process.stderr.write(`case ${i}: ${c.reader} ${c.mutation}\n`); // names the case if the parent's timeout fires
  gc();
  const rss = status('VmRSS');
  resetPeak();
  const t0 = performance.now();
  let outcome = 'ok';
  try {
    await read(c.reader, c.bytes);
  } catch (e) {
    const err = e as Error;
    outcome = OWN_ERRORS[c.reader].includes(err?.name) ? err.name : `FOREIGN ${err?.name}: ${err?.message}`;
  }
  const ms = performance.now() - t0;
  results.push({ reader: c.reader, mutation: c.mutation, size: c.bytes.length, outcome, peakGrowth: status('VmHWM') - rss, ms });
}
// the meter's own check: the bomb inflated without a cap must show up, or the numbers above prove nothing
gc();
const rss = status('VmRSS');
resetPeak();
const unbounded = gunzipSync(named[0].bytes).length;
const control = { inflated: unbounded, peakGrowth: status('VmHWM') - rss };
rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ seed, canReset, hasGc: gc.name !== '', control, results }));
