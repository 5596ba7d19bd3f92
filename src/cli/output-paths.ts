/**
 * Where `deltagpu train` writes: the model at --out, its loss plot beside it (same name, .svg) and its
 * checkpoints beside it (mnist.ckpt.e0004.s00042.safetensors). Checked before any data is loaded, so a name
 * that would make one file overwrite another, a folder given as the model file, or a place that cannot be
 * written (an empty name, a folder that cannot be made, a read-only folder, a name too long) fails at once
 * instead of after training.
 */
import { extname, resolve } from 'node:path';
import { checkpointName } from '../checkpoint/file.ts';
import { checkWritable } from '../format/writable.ts';

export function outputPaths(modelPath: string, option = '--out'): { modelPath: string; plotPath: string; checkpointBase: string } {
  const plotPath = modelPath.slice(0, modelPath.length - extname(modelPath).length) + '.svg';
  checkWritable(modelPath, option);
  // compared without case too: on macOS and Windows m.SVG and m.svg are one file
  if (resolve(plotPath).toLowerCase() === resolve(modelPath).toLowerCase()) {
    throw new RangeError(`${option} ${modelPath}: the loss plot is written beside the model as ${plotPath} and would overwrite it; give the model file another extension, such as ${plotPath.slice(0, -4)}.safetensors`);
  }
  checkWritable(plotPath, `${option} ${modelPath}: the loss plot`);
  const checkpointBase = `${plotPath.slice(0, -'.svg'.length)}.ckpt.safetensors`;
  // the longest name a checkpoint of this run can have (epoch and step at their widest)
  checkWritable(checkpointName(checkpointBase, 9999, 99999), `${option} ${modelPath}: its checkpoints`);
  return { modelPath, plotPath, checkpointBase };
}

/** The first `n` rows of a split, or an error naming the option when it asks for more than there are. */
export function checkRequestedCount(n: number | undefined, available: number, option: string, where: string): void {
  if (n !== undefined && n > available) throw new RangeError(`--${option} ${n} asks for more than the ${available} images in ${where}`);
}
