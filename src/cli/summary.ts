/**
 * `deltagpu summary`: Keras's model.summary() on the command line, one row per layer with its output shape
 * and parameter count, for a saved model or for a --layers list (or --model) before anything trains.
 * Neither reads data nor creates a backend, so it answers at once.
 */
import { parseArgs } from 'node:util';
import { MODEL_DEFAULTS, buildModel, planArchitecture } from './layer-model.ts';
import type { NamedModel } from './layer-model.ts';
import { choiceOption, intOption } from './options.ts';

export const SUMMARY_HELP = `deltagpu summary MODEL.safetensors | --layers ITEMS | --model mlp|cnn
  Prints each layer's output shape and parameter count (as Keras's model.summary() does), for a saved
  model, or for the network train mnist would build from --layers / --model on 28×28 digits
  (--image HxW for another size, --classes N for another output width).`;

export async function summaryCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { layers: { type: 'string' }, model: { type: 'string' }, image: { type: 'string' }, classes: { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    out(SUMMARY_HELP);
    return 0;
  }
  const fromFile = positionals.length === 1 && values.layers === undefined && values.model === undefined;
  if (!fromFile && positionals.length > 0) throw new RangeError(`usage: ${SUMMARY_HELP.split('\n')[0]}`);
  if (fromFile) {
    const { loadModel } = await import('../io/model-file.ts');
    const { model } = await loadModel(positionals[0], { backend: 'cpu' });
    out(`${positionals[0]}:\n${model.summary()}`);
    return 0;
  }
  const named = choiceOption(values.model, 'model', ['mlp', 'cnn'] as const, 'mlp') as NamedModel;
  const image = values.image === undefined ? [28, 28] : values.image.split(/[x×]/).map((s) => intOption(s, 'image', 0, 1));
  if (image.length !== 2) throw new RangeError(`--image must be HEIGHTxWIDTH, such as 28x28, got '${values.image}'`);
  const classes = intOption(values.classes, 'classes', 10, 1);
  const arch = planArchitecture(values.layers, named, [image[0], image[1]], classes, MODEL_DEFAULTS[named].batchSize);
  out(buildModel(arch, 'relu', 1).summary());
  return 0;
}
