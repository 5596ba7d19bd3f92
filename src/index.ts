// deltagpu's public API, safe for browsers (no Node built-ins); src/node.ts adds files and data loaders.
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
export { encodeModel, decodeModel } from './io/model-bytes.ts';
export type { LoadedModel } from './io/model-bytes.ts';
export { splitDigits } from './data/split.ts';
export type { MnistSplit, MnistSplitOptions } from './data/split.ts';
export { toMnistInput } from './data/image.ts';
export type { Dataset } from './data/dataset.ts';
export { oneHot } from './data/dataset.ts';
// Reports the CLI and the demo share: training curves as SVG, confusion matrices.
export { historyToSvg } from './report/plot.ts';
export type { PlotOptions } from './report/plot.ts';
export { argmaxRows, confusionMatrix, renderConfusion, accuracyOf, precisionPerClass, recallPerClass } from './report/confusion.ts';
export type { ConfusionMatrix } from './report/confusion.ts';
// Training robustness (issue 10): typed errors, checkpoints as bytes.
export { NonFiniteError, TrainingStoppedError, DeviceLostError, ModelBusyError } from './errors.ts';
export { encodeCheckpoint, decodeCheckpoint, CHECKPOINT_FORMAT } from './checkpoint/state.ts';
export type { Checkpoint, TrainPosition } from './checkpoint/state.ts';
export type { CheckpointOptions } from './checkpoint/fit.ts';
