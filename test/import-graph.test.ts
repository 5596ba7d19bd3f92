/**
 * The import graph stays layered: no import cycle between files, and none between folders either.
 *
 * The layers are the folders of src/ (src/format, src/checkpoint, src/io, src/backends …; each top-level
 * src/*.ts file counts as its own unit) in the order their imports put them. An import that points from a
 * lower layer up to a higher one is exactly an edge that closes a cycle in that folder graph, so "no cycle
 * between folders" is "no upward import", without a hand-kept list of layers to go stale.
 *
 * The graph comes from TypeScript's own `preProcessFile` (static imports, `import type`, `export … from`
 * and dynamic `import()`), not from a new dependency such as madge: typescript is already here, and the
 * walk is a few lines.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const FOLDERS = ['src', 'bench', 'demo', 'bin'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** file → the files it imports (relative imports only; packages are outside the graph), paths from the root. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of FOLDERS.flatMap((d) => sourceFiles(join(root, d)))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const deps = importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('.')).map((s) => relative(root, resolve(dirname(file), s)));
    graph.set(relative(root, file), deps);
  }
  return graph;
}

/** The unit a file belongs to in the folder graph: src/<folder> (sub-folders included), else the file itself. */
function unitOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : file;
}

/** Strongly connected components with more than one node (Tarjan): each one is an import cycle. */
function cycles(nodes: Iterable<string>, edges: (n: string) => Iterable<string>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) found.push(c.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return found;
}

/** Every import from one unit of `cycle` to another, as "from -> to", so a failure says which line to move. */
function edgesWithin(graph: Map<string, string[]>, cycle: string[]): string[] {
  return [...graph].flatMap(([from, deps]) =>
    deps.filter((d) => unitOf(d) !== unitOf(from) && cycle.includes(unitOf(from)) && cycle.includes(unitOf(d))).map((d) => `${from} -> ${d}`));
}

describe('import graph', () => {
  const graph = importGraph();

  it('finds the imports it is meant to judge', () => {
    // a walker that saw nothing would pass every check below
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/checkpoint/state.ts')).toContain('src/format/safetensors.ts');
    expect(graph.get('bench/training.ts')).toContain('bench/peers-js.ts');
  });

  it('the cycle finder finds a planted cycle and passes a chain', () => {
    const planted = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(cycles(planted.keys(), (n) => planted.get(n) ?? [])).toEqual([['a', 'b', 'c']]);
    const chain = new Map([['a', ['b']], ['b', ['c']], ['c', []]]);
    expect(cycles(chain.keys(), (n) => chain.get(n) ?? [])).toEqual([]);
  });

  it('no file imports itself back through others', () => {
    const found = cycles(graph.keys(), (f) => (graph.get(f) ?? []).filter((d) => graph.has(d)));
    expect(found).toEqual([]);
  });

  it('no folder of src/ imports one above it (the folder graph has no cycle)', () => {
    const units = new Map<string, Set<string>>();
    for (const [from, deps] of graph) {
      const set = units.get(unitOf(from)) ?? new Set<string>();
      units.set(unitOf(from), set);
      for (const d of deps) if (unitOf(d) !== unitOf(from)) set.add(unitOf(d));
    }
    const found = cycles(units.keys(), (u) => units.get(u) ?? []);
    expect(found.map((c) => ({ cycle: c, imports: edgesWithin(graph, c) }))).toEqual([]);
  });

  it('the format layer (safetensors codec, atomic write, bounded reads, inflate) imports nothing of ours above it', () => {
    const up = [...graph].filter(([f]) => f.startsWith('src/format/')).flatMap(([f, deps]) => deps.filter((d) => !d.startsWith('src/format/')).map((d) => `${f} -> ${d}`));
    expect(up).toEqual([]);
  });

  it('checkpoints use the format layer, not the model-file layer', () => {
    const bad = [...graph].filter(([f]) => f.startsWith('src/checkpoint/')).flatMap(([f, deps]) => deps.filter((d) => d.startsWith('src/io/')).map((d) => `${f} -> ${d}`));
    expect(bad).toEqual([]);
  });
});
