// Kept so that `import { dense } from './layers.ts'` goes on working: the layers live in src/layers/, one file per kind.
export * from './layers/index.ts';
