/**
 * Inflating untrusted gzip / zlib data with an output cap the caller derives from what the data *declares*
 * (an IDX header's dimensions, a PNG's width × height), so a 500 KB "bomb" stops at the declared size instead
 * of growing to 512 MiB: zlib stops as soon as its output passes the cap.
 */
import { constants, gunzipSync, inflateSync } from 'node:zlib';

/**
 * DEFLATE's best case is 258 bytes from one 1-bit code (zlib's technical details give 1032:1), so this many
 * output bytes per input byte is the most any honest stream can produce. A header declaring more than that
 * for the bytes it has is refused without inflating anything.
 */
export const MAX_DEFLATE_RATIO = 1032;

/** Thrown when data inflates past its cap; `cap` is the declared size it went beyond. */
export class InflateLimitError extends RangeError {
  constructor(readonly cap: number) {
    super(`inflates beyond ${cap} bytes`);
    this.name = 'InflateLimitError';
  }
}

/**
 * Inflates gzip (`format` 'gzip') or zlib data to at most `cap` bytes; InflateLimitError beyond that.
 * The output buffer is one chunk of cap + 1 bytes, so zlib fills it in place and returns a view of it: no
 * list of small chunks joined by a second full-size copy at the end. Its pages become resident only as
 * they are written (a large allocation is an untouched mapping), so memory follows the bytes produced.
 */
export function inflateBounded(bytes: Uint8Array, cap: number, format: 'gzip' | 'zlib'): Uint8Array {
  const run = format === 'gzip' ? gunzipSync : inflateSync;
  try {
    const out = run(bytes, { maxOutputLength: Math.max(1, cap), chunkSize: Math.max(64, cap + 1) });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new InflateLimitError(cap);
    throw err;
  }
}

/**
 * The first `want` bytes of a gzip stream (fewer if it is shorter), inflating no more than a short prefix of
 * the input: enough to read a header and learn the declared size before deciding the cap for the rest.
 * The prefix doubles until the header is out, so output stays near MAX_DEFLATE_RATIO × prefix.
 */
export function gunzipHead(bytes: Uint8Array, want: number): Uint8Array {
  for (let prefix = 32; ; prefix *= 2) {
    const part = bytes.subarray(0, Math.min(prefix, bytes.length));
    // Z_SYNC_FLUSH: a cut-off stream yields what it has instead of "unexpected end of file"
    const out = gunzipSync(part, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: prefix * MAX_DEFLATE_RATIO + 1024 });
    if (out.length >= want || part.length === bytes.length) return new Uint8Array(out.buffer, out.byteOffset, Math.min(out.length, want));
  }
}
