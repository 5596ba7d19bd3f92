/**
 * Saved models on disk (Node): the bytes of src/io/model-bytes.ts, written atomically (temp file + rename).
 */
import { readInputFile } from '../format/read-file.ts';
import type { Sequential } from '../model.ts';
import type { BackendChoice } from '../backends/select.ts';
import { writeFileAtomic } from '../format/atomic.ts';
import { MAX_MODEL_FILE_BYTES } from '../format/safetensors-file.ts';
import { decodeModel, encodeModel } from './model-bytes.ts';
import type { LoadedModel } from './model-bytes.ts';

export { FORMAT } from './model-bytes.ts';
export type { LoadedModel } from './model-bytes.ts';

export async function saveModel(model: Sequential, path: string, extra: Record<string, unknown> = {}): Promise<void> {
  writeFileAtomic(path, await encodeModel(model, extra));
}

/** Reads a saved model; compiles it with its saved loss and optimizer when the file has them. */
export async function loadModel(path: string, options: { backend?: BackendChoice } = {}): Promise<LoadedModel> {
  const bytes = readInputFile(path, 'model file', MAX_MODEL_FILE_BYTES);
  return decodeModel(bytes, path, options);
}
