/**
 * exportOnnx(model): a model's current weights and layers as the bytes of an .onnx file (see graph.ts for
 * the graph). Pure, so the browser demo offers the download as Node writes the file (onnx-file.ts).
 */
import type { Sequential } from '../../model.ts';
import { encodeOnnx, OnnxExportError } from './graph.ts';

export { OnnxExportError } from './graph.ts';

/** The model as ONNX (opset 13): input `input` [N, features] or [N, C, H, W], output `output`. */
export async function exportOnnx(model: Sequential): Promise<Uint8Array> {
  if (model.front) {
    throw new OnnxExportError('the model starts with an rbf layer, which has no ONNX export (ONNX has no radial-basis operator; export the dense layers after it with their own input)');
  }
  const params = await model.getWeights();
  return encodeOnnx({ layers: model.layerSpecs, params, inputShape: model.inputShape });
}
