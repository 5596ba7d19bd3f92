/**
 * ONNX nodes for the engine's activations, each computing exactly what src/activations.ts computes:
 *
 *   linear           nothing
 *   relu, sigmoid, tanh, softplus    Relu, Sigmoid, Tanh, Softplus (opset 13's own operators)
 *   leakyRelu        LeakyRelu(alpha)
 *   softmax          Softmax(axis = 1) over a pattern's units; an image-shaped output is flattened around it,
 *                    because the engine's softmax runs over all C·H·W values of a pattern, ONNX's over one axis
 *   sign             Sign (−1, 0, 1, as ours)
 *   step             (Sign(v) + 1) · ½: 0, ½, 1 exactly, the Heaviside step with ½ at 0 as ours
 *   piecewiseLinear  Clip(v + ½, 0, 1): the same float32 sum, then the same clamp
 *
 * Every name the engine knows has an exact ONNX form; an unknown one (a newer engine's, or a damaged spec)
 * gets an OnnxExportError naming the layer.
 */
import { ACTIVATIONS } from '../activations.ts';
import type { ActivationName } from '../activations.ts';
import { onnxEnum } from './proto.ts';

/** An ONNX export that cannot be made: the message names the layer and the reason. */
export class OnnxExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxExportError';
  }
}

export interface OnnxNode {
  op_type: string;
  name: string;
  input: string[];
  output: string[];
  attribute: Record<string, unknown>[];
}

export const intAttr = (name: string, i: number) => ({ name, type: onnxEnum('AttributeProto.AttributeType', 'INT'), i });
export const intsAttr = (name: string, ints: number[]) => ({ name, type: onnxEnum('AttributeProto.AttributeType', 'INTS'), ints });
export const floatAttr = (name: string, f: number) => ({ name, type: onnxEnum('AttributeProto.AttributeType', 'FLOAT'), f });

/** A float32 scalar constant (an initializer of shape []). */
function scalar(name: string, value: number): Record<string, unknown> {
  const raw = new Uint8Array(4);
  new DataView(raw.buffer).setFloat32(0, value, true);
  return { name, dims: [], data_type: onnxEnum('TensorProto.DataType', 'FLOAT'), raw_data: raw };
}

/**
 * The nodes applying f to `input` (layer `layer`, whose output has per-pattern `shape`), and the constants
 * they read. The last node's output is the layer's y; no nodes for 'linear'.
 */
export function activationNodes(
  activation: ActivationName,
  alpha: number,
  input: string,
  prefix: string,
  shape: readonly number[],
  layer: number,
): { nodes: OnnxNode[]; initializers: Record<string, unknown>[] } {
  const y = `${prefix}.y`;
  const one = (op_type: string, attribute: Record<string, unknown>[] = []): OnnxNode[] => [{ op_type, name: `${prefix}.${op_type.toLowerCase()}`, input: [input], output: [y], attribute }];
  switch (activation) {
    case 'linear':
      return { nodes: [], initializers: [] };
    case 'relu':
      return { nodes: one('Relu'), initializers: [] };
    case 'sigmoid':
      return { nodes: one('Sigmoid'), initializers: [] };
    case 'tanh':
      return { nodes: one('Tanh'), initializers: [] };
    case 'softplus':
      return { nodes: one('Softplus'), initializers: [] };
    case 'sign':
      return { nodes: one('Sign'), initializers: [] };
    case 'leakyRelu':
      return { nodes: one('LeakyRelu', [floatAttr('alpha', alpha)]), initializers: [] };
    case 'softmax': {
      if (shape.length === 1) return { nodes: one('Softmax', [intAttr('axis', 1)]), initializers: [] };
      const shapeName = `${prefix}.softmax_shape`;
      return {
        nodes: [
          { op_type: 'Flatten', name: `${prefix}.softmax_flatten`, input: [input], output: [`${prefix}.v_flat`], attribute: [intAttr('axis', 1)] },
          { op_type: 'Softmax', name: `${prefix}.softmax`, input: [`${prefix}.v_flat`], output: [`${prefix}.y_flat`], attribute: [intAttr('axis', 1)] },
          { op_type: 'Reshape', name: `${prefix}.softmax_reshape`, input: [`${prefix}.y_flat`, shapeName], output: [y], attribute: [] },
        ],
        initializers: [{ name: shapeName, dims: [shape.length + 1], data_type: onnxEnum('TensorProto.DataType', 'INT64'), int64_data: [-1, ...shape] }],
      };
    }
    case 'step':
      return {
        nodes: [
          { op_type: 'Sign', name: `${prefix}.sign`, input: [input], output: [`${prefix}.sign_v`], attribute: [] },
          { op_type: 'Add', name: `${prefix}.step_add`, input: [`${prefix}.sign_v`, `${prefix}.one`], output: [`${prefix}.sign_v_plus_1`], attribute: [] },
          { op_type: 'Mul', name: `${prefix}.step_half`, input: [`${prefix}.sign_v_plus_1`, `${prefix}.half`], output: [y], attribute: [] },
        ],
        initializers: [scalar(`${prefix}.one`, 1), scalar(`${prefix}.half`, 0.5)],
      };
    case 'piecewiseLinear':
      return {
        nodes: [
          { op_type: 'Add', name: `${prefix}.ramp_add`, input: [input, `${prefix}.half`], output: [`${prefix}.v_plus_half`], attribute: [] },
          { op_type: 'Clip', name: `${prefix}.ramp_clip`, input: [`${prefix}.v_plus_half`, `${prefix}.zero`, `${prefix}.one`], output: [y], attribute: [] },
        ],
        initializers: [scalar(`${prefix}.half`, 0.5), scalar(`${prefix}.zero`, 0), scalar(`${prefix}.one`, 1)],
      };
    default: {
      const name = String(activation as unknown);
      throw new OnnxExportError(`layer ${layer} has activation '${name}', which has no exact ONNX equivalent (supported: ${ACTIVATIONS.join(', ')})`);
    }
  }
}
