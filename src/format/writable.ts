/**
 * Can a file be written here? Asked before training, so a run whose model, plot or checkpoint could not
 * be saved fails at once, naming the path, instead of after an hour of training (or never: see makeFolder).
 *
 * The answer comes from doing what the save will do, on a small scale: make the missing folders, create
 * and remove a probe file named like the save's temp file (so a name too long for the file system shows
 * here too), then remove the folders the check made, so a refused or interrupted run leaves nothing behind.
 */
import { closeSync, mkdirSync, openSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { tempNameFor } from './atomic.ts';

/** More folders than any real path has; a bound on every loop below (a path never grows while walked). */
const MAX_DEPTH = 4096;
/** A probe name can clash only with another writer's probe of the same name in the same millisecond. */
const PROBE_TRIES = 3;

const errText = (err: unknown) => (err as Error).message ?? String(err);

/**
 * `mkdir -p dir` without Node's recursive mkdirSync, which loops forever where mkdir says ENOENT for a
 * parent that exists (/proc/new-dir: mkdir /proc/new-dir → ENOENT, mkdir /proc → EEXIST, again…).
 * Walks up to the nearest folder that exists (at most MAX_DEPTH steps), then makes each missing one
 * once, top down. Returns the folders it made, outermost first; throws naming `what` and the folder.
 */
export function makeFolder(dir: string, what: string): string[] {
  const missing: string[] = [];
  let d = resolve(dir);
  for (let depth = 0; ; depth++) {
    if (depth > MAX_DEPTH) throw new RangeError(`${what}: the folder ${dir} is more than ${MAX_DEPTH} levels deep`);
    let isDir: boolean;
    try {
      isDir = statSync(d).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' || dirname(d) === d) throw new Error(`${what}: cannot use the folder ${d}: ${errText(err)}`, { cause: err });
      missing.unshift(d);
      d = dirname(d);
      continue;
    }
    if (!isDir) throw new Error(`${what}: ${d} is a file, not a folder, so ${dir} cannot be made`);
    break;
  }
  const made: string[] = [];
  for (const m of missing) {
    try {
      mkdirSync(m);
      made.push(m);
    } catch (err) {
      // another process may have made it meanwhile: fine if it is a folder now
      let nowDir = false;
      try { nowDir = statSync(m).isDirectory(); } catch { /* still missing */ }
      if (!nowDir) {
        removeFolders(made);
        throw new Error(`${what}: cannot create the folder ${m}: ${errText(err)}`, { cause: err });
      }
    }
  }
  return made;
}

/** Removes folders makeFolder made (innermost first), if they are still empty; best effort. */
function removeFolders(made: readonly string[]): void {
  for (const m of [...made].reverse()) {
    try { rmdirSync(m); } catch { /* not empty any more, or already gone: leave it */ }
  }
}

/**
 * Throws unless `path` can be written as a file with writeFileAtomic: not empty, not a folder or a
 * device/FIFO (a rename over /dev/null would replace the device node itself), its folder exists or can be
 * made, and a file named like the save's temp file can be created and removed there. `what` names the
 * option in errors (`--out`, `checkpoint.path`). Changes nothing on disk when it returns.
 */
export function checkWritable(path: string, what: string): void {
  if (typeof path !== 'string' || path.trim() === '') throw new RangeError(`${what}: the path is empty; give a file name, such as models/mnist.safetensors`);
  if (path.endsWith('/') || path.endsWith(sep)) throw new RangeError(`${what} ${path} ends in a path separator, so it names a folder; give a file name inside it`);
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new RangeError(`${what} ${path} is a folder; give a file name inside it`);
    if (!st.isFile()) throw new RangeError(`${what} ${path} exists and is not a regular file (a device, FIFO or socket); give another file name`);
  } catch (err) {
    if (err instanceof RangeError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    // ENOENT: a new file, as usual; ENOTDIR: a file stands where a folder should, which makeFolder names
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new Error(`${what} ${path}: ${errText(err)}`, { cause: err });
  }
  const made = makeFolder(dirname(path), `${what} ${path}`);
  try {
    probe(path, what);
  } finally {
    removeFolders(made);
  }
}

/** Creates and removes a file named like writeFileAtomic's temp file for `path`; throws naming the folder. */
function probe(path: string, what: string): void {
  let last: unknown;
  for (let i = 0; i < PROBE_TRIES; i++) {
    const tmp = tempNameFor(path);
    let fd: number;
    try {
      fd = openSync(tmp, 'wx', 0o644);
    } catch (err) {
      last = err;
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      break;
    }
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* could create but not remove: the save's own cleanup would fail alike, but the save itself works */ }
    return;
  }
  throw new Error(`${what} ${path}: cannot create a file in the folder ${dirname(path) || '.'}: ${errText(last)}`, { cause: last });
}
