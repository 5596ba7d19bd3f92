// vitest globalSetup: re-embed shaders/*.wgsl (and other run-time assets) before any test file loads, so a
// kernel edited or added under shaders/ is what the tests run, even when vitest is started directly.
// @ts-expect-error: a plain JavaScript build script without type declarations
import { embedAll } from '../../bin/embed-assets.js';

export default function setup(): void {
  embedAll();
}
