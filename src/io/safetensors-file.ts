/**
 * safetensors files on disk (Node): writes are atomic, so an interrupted save never clobbers a model.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';
import type { Safetensors, Tensors } from './safetensors.ts';

/** Writes a safetensors file atomically (an interrupted save never clobbers the previous model). */
export function saveSafetensors(path: string, tensors: Tensors, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export function loadSafetensors(path: string): Safetensors {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read model file ${path}: ${(err as Error).message}`);
  }
  return decodeSafetensors(bytes, path);
}
