/**
 * A network (the backend's LayerSpec list and its parameters) as an ONNX graph, opset 13:
 *
 *   dense    Gemm(x, W, b) with transB = 1: W keeps its saved layout [units, inputs], as PyTorch's nn.Linear exports
 *   conv2d   Conv with kernel_shape, strides and pads [top, left, bottom, right] (bottom/right: what the
 *            spec's outShape implies), W [F, C, kh, kw] and b [F] as saved
 *   pooling  MaxPool / AveragePool with kernel_shape and strides, no padding, floor rounding (ONNX's default)
 *   flatten  Flatten(axis = 1): NCHW memory order is already PyTorch's flatten order
 *   dropout  nothing: inference passes x through, as predict does
 *
 * then the layer's activation (activationNodes). The input is `input` [N, features] for a flat-input model
 * and [N, C, H, W] for an image model; the output is `output`, the last layer's activations, with the batch
 * dimension N left dynamic. Initializers carry the safetensors names (layers.<i>.weight / .bias). Pure (no
 * file system), so the browser demo exports as Node does.
 */
import { biasCount, hasParams, isDense, kindOf, weightCount } from '../backend.ts';
import type { ImageShape, LayerParams, LayerSpec } from '../backend.ts';
import { activationNodes, intAttr, intsAttr, OnnxExportError } from './nodes.ts';
import type { OnnxNode } from './nodes.ts';
import { encodeModelProto, onnxEnum } from './proto.ts';

export { OnnxExportError } from './nodes.ts';

export const ONNX_OPSET = 13;
/** IR version 7 is the one that came with opset 13 (ONNX 1.8): every runtime that runs opset 13 reads it. */
export const ONNX_IR_VERSION = 7;

export interface OnnxGraphInput {
  layers: readonly LayerSpec[];
  params: readonly LayerParams[];
  /** [C, H, W] of one input pattern for an image model, null for a flat-input (dense-only) model */
  inputShape: ImageShape | null;
  /** producer_version written into the file */
  producerVersion?: string;
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function floatTensor(name: string, dims: number[], data: Float32Array): Record<string, unknown> {
  let raw: Uint8Array;
  if (littleEndianHost) {
    raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  } else {
    // ONNX raw_data is little-endian whatever the host
    raw = new Uint8Array(data.length * 4);
    const view = new DataView(raw.buffer);
    data.forEach((v, i) => view.setFloat32(4 * i, v, true));
  }
  return { name, dims, data_type: onnxEnum('TensorProto.DataType', 'FLOAT'), raw_data: raw };
}

function int64Tensor(name: string, values: number[]): Record<string, unknown> {
  return { name, dims: [values.length], data_type: onnxEnum('TensorProto.DataType', 'INT64'), int64_data: values };
}

function valueInfo(name: string, perPattern: readonly number[]): Record<string, unknown> {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: onnxEnum('TensorProto.DataType', 'FLOAT'),
        shape: { dim: [{ dim_param: 'N' }, ...perPattern.map((d) => ({ dim_value: d }))] },
      },
    },
  };
}

/** Refuses parameters that do not fit the layer list, or are not finite, naming the layer (before anything is built). */
function checkParams(layers: readonly LayerSpec[], params: readonly LayerParams[]): void {
  if (params.length !== layers.length) throw new OnnxExportError(`${layers.length} layers but ${params.length} parameter sets`);
  layers.forEach((l, i) => {
    const { W, b } = params[i];
    if (W.length !== weightCount(l) || b.length !== biasCount(l)) {
      throw new OnnxExportError(`layer ${i} (${kindOf(l)}) has ${W.length} weights and ${b.length} biases, expected ${weightCount(l)} and ${biasCount(l)}`);
    }
    for (const [what, a] of [['W', W], ['b', b]] as const) {
      const k = a.findIndex((v) => !Number.isFinite(v));
      if (k >= 0) throw new OnnxExportError(`layer ${i} ${what}[${k}] is ${a[k]}: the weights are not finite (training diverged)`);
    }
  });
}

/** The ONNX graph's nodes and initializers for the layer list (shapes per pattern, without N). */
export function buildGraph(input: OnnxGraphInput): { nodes: OnnxNode[]; initializers: Record<string, unknown>[]; outShape: number[] } {
  const { layers, params, inputShape } = input;
  if (layers.length === 0) throw new OnnxExportError('the model has no layers');
  checkParams(layers, params);
  const nodes: OnnxNode[] = [];
  const initializers: Record<string, unknown>[] = [];
  let cur = 'input';
  // the shape of `cur` per pattern: [features] or [C, H, W]
  let shape: number[] = inputShape ? [...inputShape] : [layers[0].inputs];
  const add = (node: OnnxNode) => {
    nodes.push(node);
    cur = node.output[0];
  };
  const toFlat = (prefix: string) => {
    if (shape.length === 1) return;
    add({ op_type: 'Flatten', name: `${prefix}.flatten`, input: [cur], output: [`${prefix}.flat`], attribute: [intAttr('axis', 1)] });
    shape = [shape.reduce((a, d) => a * d, 1)];
  };
  const toImage = (prefix: string, image: ImageShape) => {
    if (shape.length === 3) return;
    const shapeName = `${prefix}.image_shape`;
    initializers.push(int64Tensor(shapeName, [-1, ...image]));
    add({ op_type: 'Reshape', name: `${prefix}.reshape`, input: [cur, shapeName], output: [`${prefix}.image`], attribute: [] });
    shape = [...image];
  };

  layers.forEach((l, i) => {
    const prefix = `layers.${i}`;
    const weight = `${prefix}.weight`;
    const bias = `${prefix}.bias`;
    if (hasParams(l)) {
      initializers.push(floatTensor(weight, isDense(l) ? [l.units, l.inputs] : [l.filters, l.inShape[0], l.kernel[0], l.kernel[1]], params[i].W));
      if (l.bias) initializers.push(floatTensor(bias, [params[i].b.length], params[i].b));
    }
    if (isDense(l)) {
      toFlat(prefix);
      add({ op_type: 'Gemm', name: `${prefix}.gemm`, input: l.bias ? [cur, weight, bias] : [cur, weight], output: [`${prefix}.v`], attribute: [intAttr('transB', 1)] });
      shape = [l.units];
    } else if (l.kind === 'conv2d') {
      toImage(prefix, l.inShape);
      const [, h, w] = l.inShape;
      const [, oh, ow] = l.outShape;
      const [kh, kw] = l.kernel;
      const [sy, sx] = l.stride;
      // ONNX: out = ⌊(in + begin + end − k)/s⌋ + 1; the end padding is what the spec's outShape needs (never < 0)
      const padBottom = Math.max(0, (oh - 1) * sy + kh - h - l.padTop);
      const padRight = Math.max(0, (ow - 1) * sx + kw - w - l.padLeft);
      if (Math.floor((h + l.padTop + padBottom - kh) / sy) + 1 !== oh || Math.floor((w + l.padLeft + padRight - kw) / sx) + 1 !== ow) {
        throw new OnnxExportError(`layer ${i} (conv2d): no ONNX padding gives its output shape [${l.outShape}] from [${l.inShape}]`);
      }
      add({
        op_type: 'Conv',
        name: `${prefix}.conv`,
        input: l.bias ? [cur, weight, bias] : [cur, weight],
        output: [`${prefix}.v`],
        attribute: [intsAttr('kernel_shape', [kh, kw]), intsAttr('strides', [sy, sx]), intsAttr('pads', [l.padTop, l.padLeft, padBottom, padRight]), intsAttr('dilations', [1, 1]), intAttr('group', 1)],
      });
      shape = [...l.outShape];
    } else if (l.kind === 'maxPool2d' || l.kind === 'avgPool2d') {
      toImage(prefix, l.inShape);
      const attribute = [intsAttr('kernel_shape', [...l.size]), intsAttr('strides', [...l.stride])];
      add({ op_type: l.kind === 'maxPool2d' ? 'MaxPool' : 'AveragePool', name: `${prefix}.pool`, input: [cur], output: [`${prefix}.v`], attribute });
      shape = [...l.outShape];
    } else if (l.kind === 'flatten') {
      toFlat(prefix);
    } else if (l.kind === 'dropout') {
      // inference: the identity (predict passes x through)
    } else {
      throw new OnnxExportError(`layer ${i} has kind '${kindOf(l)}', which has no ONNX export`);
    }
    const act = activationNodes(l.activation, l.alpha, cur, prefix, shape, i);
    for (const n of act.nodes) add(n);
    initializers.push(...act.initializers);
  });
  if (nodes.length === 0) nodes.push({ op_type: 'Identity', name: 'output.identity', input: [cur], output: ['output'], attribute: [] });
  else nodes[nodes.length - 1].output[0] = 'output';
  return { nodes, initializers, outShape: shape };
}

/** The network as the bytes of an .onnx file (ModelProto). */
export function encodeOnnx(input: OnnxGraphInput): Uint8Array {
  const { nodes, initializers, outShape } = buildGraph(input);
  const inShape = input.inputShape ? [...input.inputShape] : [input.layers[0].inputs];
  return encodeModelProto({
    ir_version: ONNX_IR_VERSION,
    producer_name: 'deltagpu',
    producer_version: input.producerVersion ?? '',
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    graph: {
      name: 'deltagpu',
      node: nodes,
      initializer: initializers,
      input: [valueInfo('input', inShape)],
      output: [valueInfo('output', outShape)],
    },
  });
}
