/**
 * ONNX export on disk (Node): a saved model in, an .onnx file out, written atomically (temp file + fsync +
 * rename, src/format/atomic.ts), so a failed export leaves no partial file and never clobbers an existing one.
 */
import { writeFileAtomic } from '../format/atomic.ts';
import { loadModel } from './model-file.ts';
import { exportOnnx } from '../onnx/export.ts';

/** Reads MODEL.safetensors, writes its ONNX form to `out`; returns the bytes written. */
export async function exportOnnxFile(modelPath: string, out: string): Promise<number> {
  // the model is read without a backend's session: only its layers and weights are needed
  const { model } = await loadModel(modelPath, { backend: 'cpu' });
  try {
    const bytes = await exportOnnx(model);
    writeFileAtomic(out, bytes);
    return bytes.length;
  } finally {
    await model.dispose();
  }
}
