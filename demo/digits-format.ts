/**
 * The compact form the demo ships the `mnist` package's 10,000 digits in: 8-bit pixels instead of JSON
 * text (7.8 MB instead of 21 MB, and no JSON parse of 7.8 million numbers in the page).
 *
 *   bytes 0–7    "MNISTU8\n"
 *   bytes 8–47   ten little-endian uint32: how many digits of class 0 … 9
 *   then         the pixels, class by class, 784 bytes a digit, each byte = round(value × 255)
 *
 * The package stores each pixel as k/255 rounded to 3 decimals, so round(value × 255) recovers k exactly
 * and `decodeDigits` gives back the very same numbers (k/255 rounded to 3 decimals) that the CLI reads
 * from the JSON: the demo's split and training data equal `deltagpu train mnist`'s. `encodeDigits` checks
 * that round trip for every pixel and refuses data it cannot carry.
 */
export const MAGIC = 'MNISTU8\n';
export const PIXELS = 784;
const HEADER = MAGIC.length + 10 * 4;

/** k/255 as the package writes it: rounded to 3 decimals. */
const valueOf = (k: number) => Math.round((k / 255) * 1000) / 1000;

export function encodeDigits(perClass: readonly ArrayLike<number>[]): Uint8Array {
  if (perClass.length !== 10) throw new RangeError(`encodeDigits: expected 10 classes, got ${perClass.length}`);
  const total = perClass.reduce((s, d) => s + d.length, 0);
  const out = new Uint8Array(HEADER + total);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  const view = new DataView(out.buffer);
  let at = HEADER;
  perClass.forEach((d, c) => {
    if (d.length % PIXELS !== 0) throw new RangeError(`encodeDigits: class ${c} has ${d.length} values, not a multiple of ${PIXELS}`);
    view.setUint32(MAGIC.length + 4 * c, d.length / PIXELS, true);
    for (let i = 0; i < d.length; i++) {
      const k = Math.round(d[i] * 255);
      // compared in float32, the precision both the CLI and the page hold the pixels in
      if (!(k >= 0 && k <= 255) || Math.fround(valueOf(k)) !== Math.fround(d[i])) throw new RangeError(`encodeDigits: class ${c} value ${i} = ${d[i]} is not k/255 to 3 decimals`);
      out[at++] = k;
    }
  });
  return out;
}

/** The per-class pixel arrays (values in [0, 1], as the package's JSON has them); `what` names the source in errors. */
export function decodeDigits(bytes: Uint8Array, what: string): Float32Array[] {
  const magic = String.fromCharCode(...bytes.subarray(0, MAGIC.length));
  if (bytes.length < HEADER || magic !== MAGIC) throw new Error(`${what}: not a digits file (expected it to start with ${JSON.stringify(MAGIC)})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const counts = Array.from({ length: 10 }, (_, c) => view.getUint32(MAGIC.length + 4 * c, true));
  const expected = HEADER + counts.reduce((s, n) => s + n * PIXELS, 0);
  if (bytes.length !== expected) throw new Error(`${what}: ${bytes.length} bytes, but its header promises ${expected} (${counts.join('+')} digits)`);
  const lut = Float32Array.from({ length: 256 }, (_, k) => valueOf(k));
  let at = HEADER;
  return counts.map((n) => {
    const d = new Float32Array(n * PIXELS);
    for (let i = 0; i < d.length; i++) d[i] = lut[bytes[at++]];
    return d;
  });
}
