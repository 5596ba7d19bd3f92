/**
 * Where `deltagpu train` writes: the model at --out and its loss plot beside it (same name, .svg). Checked
 * before any data is loaded, so a name that would make one file overwrite the other, or a folder given as
 * the model file, fails at once instead of after training.
 */
import { statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';

export function outputPaths(modelPath: string): { modelPath: string; plotPath: string } {
  const plotPath = modelPath.slice(0, modelPath.length - extname(modelPath).length) + '.svg';
  if (resolve(plotPath) === resolve(modelPath)) {
    throw new RangeError(`--out ${modelPath}: the loss plot is written beside the model as ${plotPath} and would overwrite it; give the model file another extension, such as ${plotPath.slice(0, -4)}.safetensors`);
  }
  let isDir = false;
  try {
    isDir = statSync(modelPath).isDirectory();
  } catch { /* does not exist yet: it will be created */ }
  if (isDir) throw new RangeError(`--out ${modelPath} is a folder; give a file name, such as ${join(modelPath, 'mnist.safetensors')}`);
  return { modelPath, plotPath };
}

/** The first `n` rows of a split, or an error naming the option when it asks for more than there are. */
export function checkRequestedCount(n: number | undefined, available: number, option: string, where: string): void {
  if (n !== undefined && n > available) throw new RangeError(`--${option} ${n} asks for more than the ${available} images in ${where}`);
}
