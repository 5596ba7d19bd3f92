/**
 * The compact form the demo ships the `mnist` package's 10,000 digits in: 8-bit pixels instead of JSON
 * text (7.8 MB instead of 21 MB, and no JSON parse of 7.8 million numbers in the page).
 *
 *   bytes 0–7    "MNISTU8\n"
 *   bytes 8–47   ten little-endian uint32: how many digits of class 0 … 9
 *   then         the pixels, class by class, 784 bytes a digit
 *
 * The bytes are the ones the CLI recovers from the package's JSON (src/data/mnist.ts: loadMnistDigits, which
 * checks every value), and `decodeDigits` hands them back as bytes: the page splits and trains on exactly the
 * byte data sets `deltagpu train mnist` does, and widens nothing to float32.
 */
export const MAGIC = 'MNISTU8\n';
export const PIXELS = 784;
const HEADER = MAGIC.length + 10 * 4;

/** The file for per-class 8-bit pixels (what loadMnistDigits returns). */
export function encodeDigits(perClass: readonly Uint8Array[]): Uint8Array {
  if (perClass.length !== 10) throw new RangeError(`encodeDigits: expected 10 classes, got ${perClass.length}`);
  const total = perClass.reduce((s, d) => s + d.length, 0);
  const out = new Uint8Array(HEADER + total);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  const view = new DataView(out.buffer);
  let at = HEADER;
  perClass.forEach((d, c) => {
    if (!(d instanceof Uint8Array)) throw new TypeError(`encodeDigits: class ${c} must be a Uint8Array of 8-bit pixels`);
    if (d.length % PIXELS !== 0) throw new RangeError(`encodeDigits: class ${c} has ${d.length} values, not a multiple of ${PIXELS}`);
    view.setUint32(MAGIC.length + 4 * c, d.length / PIXELS, true);
    out.set(d, at);
    at += d.length;
  });
  return out;
}

/**
 * The per-class 8-bit pixels, as views of `bytes` (no copy); `what` names the source in errors. The header's
 * counts are checked against the length before anything is taken from it.
 */
export function decodeDigits(bytes: Uint8Array, what: string): Uint8Array[] {
  const magic = String.fromCharCode(...bytes.subarray(0, MAGIC.length));
  if (bytes.length < HEADER || magic !== MAGIC) throw new Error(`${what}: not a digits file (expected it to start with ${JSON.stringify(MAGIC)})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const counts = Array.from({ length: 10 }, (_, c) => view.getUint32(MAGIC.length + 4 * c, true));
  const expected = HEADER + counts.reduce((s, n) => s + n * PIXELS, 0);
  if (bytes.length !== expected) throw new Error(`${what}: ${bytes.length} bytes, but its header promises ${expected} (${counts.join('+')} digits)`);
  let at = HEADER;
  return counts.map((n) => {
    const d = bytes.subarray(at, at + n * PIXELS);
    at += n * PIXELS;
    return d;
  });
}
