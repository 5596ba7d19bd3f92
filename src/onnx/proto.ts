/**
 * The ONNX wire format, from the official schema: src/onnx/onnx.proto (vendored verbatim from onnx/onnx,
 * embedded as text by bin/embed-assets.js) parsed by protobufjs. protobufjs is the protobuf library
 * JavaScript users reach for (used by ONNX Runtime Web's own tooling, gRPC-js, Firebase); it reads a .proto
 * as is, so the field numbers and types come from ONNX itself rather than from a hand copy of them, and it
 * runs in the browser as in Node. The schema is parsed once, at the first export.
 */
import protobuf from 'protobufjs';
import { ONNX_PROTO } from '../generated/onnx-proto.ts';

let modelType: protobuf.Type | null = null;

/** onnx.ModelProto, reflected from the official schema. */
export function onnxModelType(): protobuf.Type {
  if (!modelType) {
    // keepCase: the schema's own snake_case field names (ir_version, opset_import …) are used as written
    const root = protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
    modelType = root.lookupType('onnx.ModelProto');
  }
  return modelType;
}

/** The enum values the exporter uses, looked up in the schema rather than copied (a typo throws here). */
export function onnxEnum(enumName: 'TensorProto.DataType' | 'AttributeProto.AttributeType', value: string): number {
  const e = onnxModelType().root.lookupEnum(`onnx.${enumName}`);
  const v = e.values[value];
  if (v === undefined) throw new Error(`onnx.proto has no ${enumName}.${value}`);
  return v;
}

/** Serialises a plain ModelProto object (snake_case fields) after protobufjs has checked it against the schema. */
export function encodeModelProto(model: Record<string, unknown>): Uint8Array {
  const type = onnxModelType();
  const problem = type.verify(model);
  if (problem) throw new Error(`internal error: the ONNX model does not fit onnx.proto (${problem})`);
  return type.encode(type.fromObject(model)).finish();
}

/** Parses ONNX bytes back into a plain object (enums and 64-bit integers as numbers): for tests and inspection. */
export function decodeModelProto(bytes: Uint8Array): Record<string, unknown> {
  const type = onnxModelType();
  return type.toObject(type.decode(bytes), { longs: Number, enums: String, defaults: false, arrays: true }) as Record<string, unknown>;
}
