/** Small seeded networks and data sets for the WebGPU tests: the ones verify uses (src/verify/networks.ts). */
export { makeData, makeParams, makeSpec } from '../../src/verify/networks.ts';
export type { NetworkCase } from '../../src/verify/networks.ts';
