/**
 * `deltagpu export MODEL.safetensors --format onnx --out MODEL.onnx`: a saved model for other runtimes.
 * The file is written atomically (nothing partial is left when anything fails), and the checks that need
 * no model come first: the format, and an --out that could not be written or would replace the model.
 */
import { parseArgs } from 'node:util';
import { existsSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { choiceOption } from './options.ts';

export const EXPORT_HELP = `deltagpu export MODEL.safetensors [--format onnx] [--out MODEL.onnx]
  Writes a saved model as ONNX (opset 13) for ONNX Runtime, TensorRT, OpenVINO …: input 'input'
  (float32 [N, features], or [N, C, H, W] for a convolutional model), output 'output' (the last
  layer's activations: softmax probabilities for a classifier). --out defaults to MODEL.onnx.`;

export async function exportCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { format: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    out(EXPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new RangeError(`usage: ${EXPORT_HELP.split('\n')[0]}`);
  choiceOption(values.format, 'format', ['onnx'], 'onnx');
  const model = positionals[0];
  const target = values.out ?? `${extname(model) ? model.slice(0, -extname(model).length) : model}.onnx`;
  if (values.out === '') throw new RangeError('--out must name a file');
  if (resolve(target) === resolve(model)) throw new RangeError(`--out ${target} is the model file itself; choose another name`);
  const dir = dirname(resolve(target));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`cannot write --out ${target}: the folder ${dirname(target)} does not exist`);
  if (existsSync(target) && statSync(target).isDirectory()) throw new Error(`cannot write --out ${target}: it is a folder`);
  const { exportOnnxFile } = await import('../io/onnx-file.ts');
  const bytes = await exportOnnxFile(model, target);
  out(`wrote ${target} (${bytes.toLocaleString('en-US')} bytes, ONNX opset 13)`);
  return 0;
}
