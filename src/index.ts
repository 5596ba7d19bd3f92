// deltagpu's public API.
export { sequential, Sequential } from './model.ts';
export type { CompileOptions, FitOptions, EvaluateResult } from './model.ts';
export { dense } from './layers.ts';
export type { DenseLayer, DenseOptions } from './layers.ts';
export { sgd, momentum, adam } from './optimizers.ts';
export type { OptimizerConfig, OptimizerName } from './optimizers.ts';
export { ACTIVATIONS } from './activations.ts';
export type { ActivationName } from './activations.ts';
export { LOSSES } from './losses.ts';
export type { LossName } from './losses.ts';
export { toMatrix, toRows, matrix } from './tensor.ts';
export type { Matrix, MatrixLike } from './tensor.ts';
export type { History, Callbacks, EpochLogs, ProgressInfo, TraceStep } from './trainer.ts';
export { earlyStopping, combineCallbacks } from './callbacks.ts';
export { createCpuBackend } from './backends/cpu/backend.ts';
export { createBackend } from './backends/select.ts';
export type { Backend, TrainingSession, LayerParams } from './backend.ts';
export { Random } from './random.ts';
