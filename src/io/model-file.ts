/**
 * Saved models on disk (Node): the bytes of src/io/model-bytes.ts, written atomically (temp file + rename).
 */
import { readFileSync } from 'node:fs';
import type { Sequential } from '../model.ts';
import type { BackendChoice } from '../backends/select.ts';
import { writeFileAtomic } from './atomic.ts';
import { decodeModel, encodeModel } from './model-bytes.ts';
import type { LoadedModel } from './model-bytes.ts';

export { FORMAT } from './model-bytes.ts';
export type { LoadedModel } from './model-bytes.ts';

export async function saveModel(model: Sequential, path: string, extra: Record<string, unknown> = {}): Promise<void> {
  writeFileAtomic(path, await encodeModel(model, extra));
}

/** Reads a saved model; compiles it with its saved loss and optimizer when the file has them. */
export async function loadModel(path: string, options: { backend?: BackendChoice } = {}): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read model file ${path}: ${(err as Error).message}`);
  }
  return decodeModel(bytes, path, options);
}
