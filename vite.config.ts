import { defineConfig } from 'vitest/config';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// One config for the demo (vite) and the tests (vitest).
export default defineConfig({
  root: '.',
  test: {
    include: ['test/**/*.test.ts'],
    // shaders/*.wgsl → src/generated/ before anything imports the engine
    globalSetup: ['test/helpers/embed-setup.ts'],
    // the matmul tuner's on-disk cache: one per test run, never the user's own
    env: { DELTAGPU_CACHE_DIR: join(tmpdir(), `deltagpu-test-cache-${process.pid}`) },
    // Kernel tests run real WGSL on a software Vulkan driver: slow, so allow time per test.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: one worker for Dawn's shader threads, one for the test process.
    pool: 'forks',
    maxWorkers: 2,
  },
});
