// The two entry points: src/index.ts must stay importable in a browser; src/node.ts adds files and data.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as browserApi from '../src/index.ts';
import * as nodeApi from '../src/node.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every module reachable from `entry` through static import/export … from '…' (dynamic import() is lazy and allowed). */
function staticGraph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const src = readFileSync(file, 'utf8');
    const specs = [...src.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)]
      .filter((m) => !/^(?:import|export)\s+type\s/.test(m[0]))
      .map((m) => m[1]);
    seen.set(file, specs);
    for (const s of specs) if (s.startsWith('.')) visit(resolve(dirname(file), s));
  };
  visit(entry);
  return seen;
}

describe('entry points', () => {
  it('src/index.ts reaches no Node built-in and not the Dawn package through static imports', () => {
    const graph = staticGraph(resolve(root, 'src/index.ts'));
    expect(graph.size).toBeGreaterThan(10);
    const offenders = [...graph].flatMap(([file, specs]) =>
      specs.filter((s) => s.startsWith('node:') || s === 'webgpu' || s === 'fs' || s === 'path').map((s) => `${file.slice(root.length + 1)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the scan would notice a Node import (it reads the files it claims to)', () => {
    const graph = staticGraph(resolve(root, 'src/node.ts'));
    expect([...graph.values()].flat()).toContain('node:fs');
  });

  it('src/node.ts has everything src/index.ts has, plus loadModel, saveModel and the data loaders', () => {
    for (const k of Object.keys(browserApi)) expect(nodeApi).toHaveProperty(k);
    for (const k of ['loadModel', 'saveModel', 'loadMnist', 'loadIdxFolder', 'readIdxFile', 'pngToMnistInput']) {
      expect(typeof (nodeApi as Record<string, unknown>)[k]).toBe('function');
    }
  });

  it('package.json sends Node to the build of src/node.ts and browsers and bundlers to that of src/index.ts', () => {
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
    const node = { types: './dist/node.d.ts', default: './dist/node.js' };
    const browser = { types: './dist/index.d.ts', default: './dist/index.js' };
    expect(pkg.exports['.']).toEqual({ browser, node, default: browser });
    // dist/X.js is the build of src/X.ts
    const build = JSON.parse(readFileSync(resolve(root, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
    expect([build.compilerOptions.rootDir, build.compilerOptions.outDir]).toEqual(['src', 'dist']);
  });

  it('encodeModel → decodeModel (in memory, as a browser would) keeps weights and architecture', async () => {
    const { sequential, dense, sgd, encodeModel, decodeModel } = browserApi;
    const m = sequential([dense(3, 4, { activation: 'tanh' }), dense(4, 2, { activation: 'softmax' })], { seed: 4 });
    m.compile({ loss: 'categoricalCrossentropy', optimizer: sgd(0.1), backend: 'cpu' });
    const bytes = await encodeModel(m, { note: 'hi' });
    const { model, metadata } = await decodeModel(bytes, 'in-memory', { backend: 'cpu' });
    expect(metadata.note).toBe('hi');
    expect(model.layers.map((l) => [l.units, l.activation])).toEqual([[4, 'tanh'], [2, 'softmax']]);
    const [a, b] = [await m.getWeights(), await model.getWeights()];
    a.forEach((p, l) => expect(Array.from(b[l].W)).toEqual(Array.from(p.W)));
    expect(model.training?.loss).toBe('categoricalCrossentropy');
  });
});
