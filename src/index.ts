/// <reference types="@webgpu/types" preserve="true" />
// deltagpu's public API, safe for browsers (no Node built-ins); src/node.ts adds files and data loaders.
export { sequential, Sequential } from './model.ts';
export type { CompileOptions, FitOptions, EvaluateResult, SequentialOptions } from './model.ts';
// The layer kinds (src/layers/, one file each) and what a built model says about them.
export { dense, conv2d, maxPool2d, avgPool2d, flatten, dropout, describeShape, parameterCount } from './layers/index.ts';
export type { DenseLayer, DenseOptions, Conv2dLayer, Conv2dOptions, Padding, Pool2dLayer, Pool2dOptions, FlattenLayer, FlattenOptions, DropoutLayer } from './layers/index.ts';
export type { Layer, ModelLayer, InputShape, Shape } from './layers/index.ts';
export type { LayerSpec, LayerKind, DenseSpec, Conv2dSpec, Pool2dSpec, FlattenSpec, DropoutSpec, ImageShape, NetworkSpec } from './backend.ts';
export { isDense, kindOf, hasParams, weightCount, biasCount, paramShapes, allDense } from './backend.ts';
export { sgd, momentum, adam } from './optimizers.ts';
export type { OptimizerConfig, OptimizerName } from './optimizers.ts';
export { ACTIVATIONS } from './activations.ts';
export type { ActivationName } from './activations.ts';
export { LOSSES } from './losses.ts';
export type { LossName } from './losses.ts';
export { toMatrix, toRows, matrix } from './tensor.ts';
export type { Matrix, MatrixLike } from './tensor.ts';
export type { History, Callbacks, EpochLogs, ProgressInfo, TraceStep } from './trainer.ts';
export { earlyStopping, combineCallbacks, targetAccuracy } from './callbacks.ts';
export { createCpuBackend } from './backends/cpu/backend.ts';
export { createBackend } from './backends/select.ts';
export type { Backend, TrainingSession, LayerParams } from './backend.ts';
export type { ByteMatrix, ClassIndices } from './backend.ts';
export { Random } from './random.ts';
export { encodeModel, decodeModel } from './io/model-bytes.ts';
export { exportOnnx, OnnxExportError } from './onnx/export.ts';
export type { LoadedModel } from './io/model-bytes.ts';
export { splitDigits } from './data/split.ts';
export type { MnistSplit, MnistSplitOptions } from './data/split.ts';
export { toMnistInput } from './data/image.ts';
export type { Dataset } from './data/dataset.ts';
export { oneHot } from './data/dataset.ts';
export { inputs, targets, makeByteDataset } from './data/dataset.ts';
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
// Error types for bad saved models, and the declared-size cap on models (issue 10).
export { SafetensorsFormatError } from './format/safetensors.ts';
export { ModelFormatError } from './io/model-check.ts';
export { MAX_PARAMETERS } from './validate.ts';
// The lectures' other networks on the same engine (issue 9).
export { perceptron, Perceptron } from './models/perceptron.ts';
export type { PerceptronOptions, PerceptronResult, PerceptronTraceRow, ThresholdActivation } from './models/perceptron.ts';
export { linearRegression, LinearRegression, leastSquares } from './models/linear-regression.ts';
export type { LinearRegressionOptions } from './models/linear-regression.ts';
export { linearFitToSvg } from './report/fit-plot.ts';
export type { FitPlotOptions } from './report/fit-plot.ts';
export { rbf, RbfLayer } from './rbf/rbf.ts';
export type { RbfOptions, RbfBasis } from './rbf/rbf.ts';
export { kMeans } from './rbf/kmeans.ts';
export type { KMeansResult } from './rbf/kmeans.ts';
// The lecture's XOR worked example, traced pattern by pattern (the CLI's `deltagpu xor --trace` and the demo's stepper).
export { traceXor, XOR_INPUTS, XOR_TARGETS, XOR_INITIAL, XOR_LEARNING_RATE, XOR_BIAS_LEARNING_RATE } from './examples/xor.ts';
export type { XorTraceRow, XorTraceOptions } from './examples/xor.ts';
// Inside a network on the host (CPU reference kernels): each layer's outputs, each unit's δ for a pattern.
export { layerOutputs, patternDeltas } from './inspect.ts';
// Every kernel on this adapter against the CPU reference (deltagpu verify), in Node and in the browser.
export { verifyBackend, formatVerifyReport } from './verify/index.ts';
export type { VerifyReport, VerifyOptions, CheckResult } from './verify/index.ts';
