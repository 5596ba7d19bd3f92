/**
 * python3 for the independent readers (test/io-safetensors-check.py, standard library only). Like the GPU
 * and browser helpers: under CI (process.env.CI set; .ci/run exports it and installs python3) a missing
 * python3 FAILS the test; elsewhere the test is marked skipped, with a loud warning, never passed.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PYTHON_MISSING = 'python3 not found: the independent (Python) safetensors reader cannot run (apt-get install python3)';

/** test/io-safetensors-check.py */
export const SAFETENSORS_CHECK = fileURLToPath(new URL('../io-safetensors-check.py', import.meta.url));

let found: boolean | undefined;

/** Whether python3 runs; throws under CI when it does not. */
export function havePython(label: string): boolean {
  found ??= spawnSync('python3', ['--version']).status === 0;
  if (found) return true;
  if (process.env.CI) throw new Error(`${label}: ${PYTHON_MISSING}`);
  console.warn(`\n*** ${label}: SKIPPED: ${PYTHON_MISSING} ***\n`);
  return false;
}

/** Inside a test: returns normally when python3 runs, fails under CI, else marks the test skipped. */
export function requirePython(ctx: { skip: (note?: string) => void }, label: string): void {
  if (!havePython(label)) ctx.skip(PYTHON_MISSING);
}
