/**
 * ONNX Runtime (onnxruntime-node, CPU) as the independent reader of our exports. It is a devDependency;
 * where it is missing the ONNX tests fail under CI rather than skip (the project's rule for oracles).
 */
import type * as Ort from 'onnxruntime-node';

let ort: typeof Ort | null = null;

export async function onnxRuntime(): Promise<typeof Ort> {
  if (!ort) {
    try {
      ort = await import('onnxruntime-node');
    } catch (e) {
      throw new Error(`onnxruntime-node is not installed (a devDependency: npm install): ${(e as Error).message}`);
    }
  }
  return ort;
}

/** Runs an exported model on a float32 batch of shape `dims`; returns `output` and its dims. */
export async function runOnnx(bytes: Uint8Array, x: Float32Array, dims: number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const rt = await onnxRuntime();
  const session = await rt.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  try {
    if (session.inputNames.join() !== 'input' || session.outputNames.join() !== 'output') {
      throw new Error(`expected input 'input' and output 'output', got [${session.inputNames}] → [${session.outputNames}]`);
    }
    const out = await session.run({ input: new rt.Tensor('float32', x, dims) });
    const y = out.output;
    return { data: y.data as Float32Array, dims: y.dims };
  } finally {
    await session.release();
  }
}
