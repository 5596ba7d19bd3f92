/**
 * exportOnnx(model): a model's current weights and layers as the bytes of an .onnx file (see graph.ts for
 * the graph). Pure, so the browser demo offers the download as Node writes the file (src/io/onnx-file.ts).
 * It takes what it reads of a model structurally, so this folder imports nothing above it (model.ts loads
 * it for model.toOnnx()).
 */
import type { ImageShape, LayerParams, LayerSpec } from '../backend.ts';
import { encodeOnnx, OnnxExportError } from './graph.ts';

export { OnnxExportError } from './graph.ts';

/** What the export reads of a Sequential. */
export interface OnnxExportable {
  /** an rbf first layer, which has no ONNX form */
  readonly front: unknown;
  readonly layerSpecs: readonly LayerSpec[];
  readonly inputShape: ImageShape | null;
  getWeights(): Promise<LayerParams[]>;
}

/** The model as ONNX (opset 13): input `input` [N, features] or [N, C, H, W], output `output`. */
export async function exportOnnx(model: OnnxExportable): Promise<Uint8Array> {
  if (model.front) {
    throw new OnnxExportError('the model starts with an rbf layer, which has no ONNX export (ONNX has no radial-basis operator; export the dense layers after it with their own input)');
  }
  const params = await model.getWeights();
  return encodeOnnx({ layers: model.layerSpecs, params, inputShape: model.inputShape });
}
