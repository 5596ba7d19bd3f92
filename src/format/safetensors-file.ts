/**
 * safetensors files on disk (Node): writes are atomic, so an interrupted save never clobbers a model.
 */
import { readInputFile } from './read-file.ts';
import { writeFileAtomic } from './atomic.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';
import type { Safetensors, Tensors } from './safetensors.ts';

/**
 * The largest model file read: 2 GiB, what one read can return in Node, and twice the parameters a model
 * may declare (MAX_PARAMETERS, 1 GiB of float32). Checked by fstat before reading.
 */
export const MAX_MODEL_FILE_BYTES = 2 ** 31 - 1;

/** Writes a safetensors file atomically (an interrupted save never clobbers the previous model). */
export function saveSafetensors(path: string, tensors: Tensors, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export function loadSafetensors(path: string): Safetensors {
  const bytes = readInputFile(path, 'model file', MAX_MODEL_FILE_BYTES);
  return decodeSafetensors(bytes, path);
}
