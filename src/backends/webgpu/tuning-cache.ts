/**
 * Where the autotuner keeps its answers: in the process (a Map), and across processes in a JSON file under
 * the user's cache directory in Node ($DELTAGPU_CACHE_DIR, else $XDG_CACHE_HOME/deltagpu, else
 * ~/.cache/deltagpu; file tuning.json), or in localStorage in a browser. Keys name the adapter and the
 * shape, so a different GPU or driver tunes afresh. A missing, unreadable or corrupt store is treated as
 * empty (tuning again is always correct, only slower); writes that fail are ignored for the same reason.
 */
import type { MatmulKernel } from './kernels.ts';

export interface TunedEntry<K extends string = MatmulKernel> {
  /** "NT 64×128×784" (form M×N×R), or a conv2d forward's shape (conv-tuner.ts) */
  shape: string;
  kernel: K;
  /** ms per product for each candidate timed (for one given up early, the faster of its two runs; tuning-race.ts) */
  ms: Partial<Record<K, number>>;
  timing: 'timestamp' | 'wall';
}

const FILE = 'tuning.json';
const STORAGE_KEY = 'deltagpu-tuning';
const VERSION = 1;

type Store = Record<string, TunedEntry<string>>;

const memory = new Map<string, TunedEntry<string>>();
let loaded: Promise<void> | null = null;

const isNode = () => typeof process !== 'undefined' && !!process.versions?.node;

function storage(): Storage | null {
  try {
    return (globalThis as { localStorage?: Storage }).localStorage ?? null;
  } catch {
    return null;
  }
}

/** The directory of the on-disk cache (Node), or null in a browser. */
export async function tuningCacheDir(): Promise<string | null> {
  if (!isNode()) return null;
  if (process.env.DELTAGPU_CACHE_DIR) return process.env.DELTAGPU_CACHE_DIR;
  const { homedir } = await import('node:os');
  const { join } = await import('node:path');
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'deltagpu');
}

function valid(e: unknown): e is TunedEntry<string> {
  const x = e as TunedEntry<string>;
  return !!x && typeof x.shape === 'string' && typeof x.kernel === 'string' && typeof x.ms === 'object' && x.ms !== null;
}

function merge(text: string | null): void {
  if (!text) return;
  try {
    const data = JSON.parse(text) as { version?: number; entries?: Store };
    if (data.version !== VERSION || !data.entries) return;
    for (const [k, e] of Object.entries(data.entries)) if (valid(e) && !memory.has(k)) memory.set(k, e);
  } catch {
    // corrupt: ignore, tuning again is correct
  }
}

async function load(): Promise<void> {
  loaded ??= (async () => {
    const dir = await tuningCacheDir();
    if (dir) {
      const fs = await import('node:fs');
      const { join } = await import('node:path');
      try {
        merge(fs.readFileSync(join(dir, FILE), 'utf8'));
      } catch {
        // no file yet
      }
    } else {
      merge(storage()?.getItem(STORAGE_KEY) ?? null);
    }
  })();
  return loaded;
}

async function save(): Promise<void> {
  const text = JSON.stringify({ version: VERSION, entries: Object.fromEntries(memory) }, null, 1);
  try {
    const dir = await tuningCacheDir();
    if (dir) {
      const fs = await import('node:fs');
      const { join } = await import('node:path');
      // not mkdirSync({recursive}): it loops forever where mkdir says ENOENT for a parent that exists
      // (DELTAGPU_CACHE_DIR=/proc/x); makeFolder is bounded and throws, and the catch below keeps going
      const { makeFolder } = await import('../../format/writable.ts');
      makeFolder(dir, 'tuning cache');
      // temp file + rename: a concurrent reader sees the old file or the new one, never half of one
      const tmp = join(dir, `.${FILE}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, join(dir, FILE));
    } else {
      storage()?.setItem(STORAGE_KEY, text);
    }
  } catch {
    // read-only home, quota: keep the process cache only
  }
}

export const tuningCache = {
  /** The entry under `key`; its kernel is a name the caller must still check against its own list. */
  async get<K extends string = MatmulKernel>(key: string): Promise<TunedEntry<K> | undefined> {
    await load();
    return memory.get(key) as TunedEntry<K> | undefined;
  },
  async set<K extends string>(entries: [string, TunedEntry<K>][]): Promise<void> {
    await load();
    for (const [k, e] of entries) memory.set(k, e);
    await save();
  },
  /** Every entry whose key passes `keep` (one adapter's), for `deltagpu info`. */
  async list(keep: (key: string) => boolean): Promise<TunedEntry[]> {
    await load();
    return [...memory].filter(([k]) => keep(k)).map(([, e]) => e as TunedEntry);
  },
  /** Forgets the process cache and rereads the store next time (tests). */
  reset(): void {
    memory.clear();
    loaded = null;
  },
};
