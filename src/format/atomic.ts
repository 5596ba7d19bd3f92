/**
 * Atomic file replacement: a reader (or a crash) sees either the old file or the complete new one, never a
 * half-written model. The temp file lives in the target's directory because rename is only atomic within
 * one file system.
 */
import * as nodeFs from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The file-system calls used, injectable so tests can make any step fail. */
export interface AtomicFs {
  openSync: typeof nodeFs.openSync;
  writeSync: (fd: number, buffer: Uint8Array, offset: number, length: number) => number;
  fsyncSync: typeof nodeFs.fsyncSync;
  closeSync: typeof nodeFs.closeSync;
  renameSync: typeof nodeFs.renameSync;
  unlinkSync: typeof nodeFs.unlinkSync;
}

let counter = 0;

/**
 * The temp file a write of `path` goes through, beside it: pid + counter + random make it unique across
 * concurrent writers in and between processes. Exported so checkWritable can probe with a name as long.
 */
export function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}.tmp`);
}

/**
 * Writes `data` to `path` via a temp file + fsync + rename. On any failure the temp file is removed, an
 * existing file at `path` is left untouched, and the error is rethrown naming the path.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, fs: AtomicFs = nodeFs): void {
  // rename(tmp, '') fails only after the temp file is written, with an error naming neither
  if (path === '') throw new RangeError('could not write: the file name is empty');
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const dir = dirname(path);
  const tmp = tempNameFor(path);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    // Without fsync, a crash after the rename can leave the new name pointing at an empty file on some
    // file systems (ext4 delayed allocation).
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) {
      try { fs.closeSync(fd); } catch { /* already failing; the original error matters */ }
    }
    try { fs.unlinkSync(tmp); } catch { /* never created, or already gone */ }
    throw new Error(`could not write ${path}: ${(err as Error).message}`, { cause: err });
  }
  // Persist the rename itself; best effort because some platforms (Windows) cannot open directories.
  try {
    const dfd = nodeFs.openSync(dir, 'r');
    try { nodeFs.fsyncSync(dfd); } finally { nodeFs.closeSync(dfd); }
  } catch { /* durability of the directory entry is a bonus, not a requirement */ }
}
