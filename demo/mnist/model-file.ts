/**
 * Saving and loading the lab's model as safetensors, with the library's own `encodeModel`/`decodeModel`
 * (the reader `deltagpu predict` and `evaluate` use): a download, and an upload that is checked in full
 * before it replaces anything: a corrupt or foreign file gives a message naming the file and the problem.
 */
import { decodeModel, encodeModel } from '../../src/index.ts';
import type { Backend, Sequential } from '../../src/index.ts';

/** Starts a download of the model's bytes as `name`. */
export async function saveModel(model: Sequential, name: string, extra: Record<string, unknown>): Promise<number> {
  return download(await encodeModel(model, extra), name);
}

/** Starts a download of the model as ONNX (opset 13, the library's model.toOnnx(): what `deltagpu export` writes). */
export async function saveOnnx(model: Sequential, name: string): Promise<number> {
  return download(await model.toOnnx(), name);
}

function download(bytes: Uint8Array, name: string): number {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return bytes.length;
}

/** The model in `file`, compiled on `backend`, or an Error whose message says what is wrong with the file. */
export async function loadModel(file: File, backend: Backend): Promise<{ model: Sequential; metadata: Record<string, string> }> {
  if (file.size > 256 * 1024 * 1024) throw new Error(`${file.name}: ${file.size} bytes is more than this page loads (256 MiB)`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const { model, metadata } = await decodeModel(bytes, file.name);
  if (model.inputs !== 784 || model.outputs !== 10) {
    throw new Error(`${file.name}: a ${model.inputs}-input, ${model.outputs}-output model; the MNIST lab needs 784 inputs (28×28 pixels) and 10 outputs`);
  }
  const training = model.training;
  model.compile({
    loss: training?.loss ?? 'categoricalCrossentropy',
    optimizer: training?.optimizer ?? { type: 'sgd', learningRate: 0.05 },
    backend,
  });
  return { model, metadata };
}
