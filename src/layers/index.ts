// The layers a model is declared with, one file per kind; shape inference and the summary beside them.
export { dense } from './dense.ts';
export type { DenseLayer, DenseOptions } from './dense.ts';
export { conv2d } from './conv2d.ts';
export type { Conv2dLayer, Conv2dOptions, Padding } from './conv2d.ts';
export { maxPool2d, avgPool2d } from './pool2d.ts';
export type { Pool2dLayer, Pool2dOptions } from './pool2d.ts';
export { flatten } from './flatten.ts';
export type { FlattenLayer, FlattenOptions } from './flatten.ts';
export { dropout } from './dropout.ts';
export type { DropoutLayer } from './dropout.ts';
export { inferShapes, describeShape } from './shapes.ts';
export type { Layer, ModelLayer, InferredModel } from './shapes.ts';
export type { InputShape, Shape } from './common.ts';
export { parameterCount, summaryTable } from './summary.ts';
