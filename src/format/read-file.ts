/**
 * Reading an input file (data set, image, model) that may be anything: the file is opened once, checked by
 * fstat to be a regular file of at most `maxBytes` (a symlink to /dev/zero, a FIFO or a directory is refused
 * before one byte is read), and then exactly its stat size is read, never "until EOF".
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';

export class InputFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputFileError';
  }
}

function kind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** How much one read asks the kernel for: large enough to cost nothing per call, small enough to bound any one call. */
export const READ_CHUNK_BYTES = 4 * 2 ** 20;

export interface InputFile {
  readonly size: number;
  /** bytes [start, start + n) of the file (fewer only if it shrank since it was opened) */
  read(start: number, n: number): Uint8Array;
  /**
   * Bytes [start, start + dst.length) straight into `dst`, READ_CHUNK_BYTES at a time (no staging copy);
   * returns how many arrived: fewer than dst.length only if the file ends first.
   */
  readInto(start: number, dst: Uint8Array): number;
  close(): void;
}

/** Opens `path` for reading after the regular-file and size checks; `what` names it in errors ("IDX file"). */
export function openInputFile(path: string, what: string, maxBytes: number): InputFile {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not hang waiting for a writer before fstat can refuse it
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw new InputFileError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputFileError(`${what} ${path} is ${kind(st)}, expected a regular file`);
    if (st.size > maxBytes) {
      throw new InputFileError(`${what} ${path} has ${st.size} bytes, above the limit of ${maxBytes} bytes (${(maxBytes / 2 ** 20).toFixed(0)} MiB) for a ${what}`);
    }
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const size = fstatSync(fd).size;
  const readInto = (start: number, dst: Uint8Array): number => {
    let at = 0;
    while (at < dst.length) {
      const got = readSync(fd, dst, at, Math.min(READ_CHUNK_BYTES, dst.length - at), start + at);
      if (got === 0) break;
      at += got;
    }
    return at;
  };
  return {
    size,
    read(start: number, n: number): Uint8Array {
      const out = new Uint8Array(Math.max(0, Math.min(n, size - start)));
      return out.subarray(0, readInto(start, out));
    },
    readInto,
    close: () => closeSync(fd),
  };
}

/** The whole of a regular file of at most `maxBytes`, with the checks of openInputFile. */
export function readInputFile(path: string, what: string, maxBytes: number): Uint8Array {
  const f = openInputFile(path, what, maxBytes);
  try {
    return f.read(0, f.size);
  } finally {
    f.close();
  }
}
