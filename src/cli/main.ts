/**
 * The `deltagpu` command line. Each subcommand lives in its own file; this one only dispatches and turns
 * thrown errors into one clear line and a non-zero exit code.
 */
import { xorCommand, XOR_HELP } from './xor.ts';
import { infoCommand } from './info.ts';
import { perceptronCommand, PERCEPTRON_HELP } from './perceptron.ts';
import { neuronCommand } from './neuron.ts';
import { pricesCommand } from './prices.ts';
import { linearFitCommand } from './linear-fit.ts';
import { rbfCommand } from './rbf.ts';
import { verifyCommand } from './verify.ts';
import { exportCommand } from './export.ts';
import { summaryCommand } from './summary.ts';

const HELP = `deltagpu — backpropagation on the GPU

usage: deltagpu <command> [options]

commands:
  train mnist   train the digit classifier (the default job of npm start); deltagpu train --help
  evaluate      evaluate a saved model on a data set
  predict       classify an image (PNG) or IDX file with a saved model
  summary       each layer's output shape and parameters: summary MODEL.safetensors, or --layers ITEMS
  export        write a saved model as ONNX: export MODEL.safetensors --format onnx --out MODEL.onnx
  xor           the lecture's XOR worked example
  perceptron    the simple perceptron learning AND, OR, NAND (and failing XOR)
  neuron        the single sigmoid neuron's two update rules
  prices        the linear neuron learning the café's prices from the bills
  linear-fit    linear regression as in the TensorFlow 2 example, with a plot
  rbf           the RBF network's XOR example (--example xor [--train])
  info          the WebGPU adapter, its limits, and what --backend auto picks here
  verify        check every GPU kernel against the CPU reference on this adapter (--json)

${XOR_HELP}

${PERCEPTRON_HELP}`;

type Command = (argv: string[], out: (s: string) => void) => Promise<number>;

async function lazy(name: 'train' | 'evaluate' | 'predict'): Promise<Command> {
  const m = await import('./train.ts');
  return { train: m.trainCommand, evaluate: m.evaluateCommand, predict: m.predictCommand }[name];
}

export async function main(argv: string[], out: (s: string) => void = (s) => console.log(s)): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'xor':
        return await xorCommand(rest, out);
      case 'perceptron':
        return await perceptronCommand(rest, out);
      case 'neuron':
        return await neuronCommand(rest, out);
      case 'prices':
        return await pricesCommand(rest, out);
      case 'linear-fit':
        return await linearFitCommand(rest, out);
      case 'rbf':
        return await rbfCommand(rest, out);
      case 'info':
        return await infoCommand(rest, out);
      case 'verify':
        return await verifyCommand(rest, out);
      case 'summary':
        return await summaryCommand(rest, out);
      case 'export':
        return await exportCommand(rest, out);
      case 'train':
      case 'evaluate':
      case 'predict':
        return await (await lazy(command))(rest, out);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(HELP);
        return command === undefined ? 2 : 0;
      default:
        console.error(`deltagpu: unknown command '${command}'\n\n${HELP}`);
        return 2;
    }
  } catch (e) {
    const err = e as Error;
    console.error(`deltagpu ${command}: ${readableMessage(String(err?.message ?? err))}`);
    if (process.env.DELTAGPU_DEBUG) console.error(err.stack);
    return 1;
  }
}

/** The longest error message printed whole; DELTAGPU_DEBUG=1 prints the stack, with the message in full. */
export const MAX_MESSAGE_CHARS = 600;

/**
 * An error message as a summary, not a dump: a value echoed back from a hostile input (a 100 kB --layers,
 * a header of 255 sizes) can make a message of thousands of characters. Keeps its start and end, which
 * name the input and the problem, and says how much was left out.
 */
export function readableMessage(message: string, max = MAX_MESSAGE_CHARS): string {
  if (message.length <= max) return message;
  const head = Math.ceil(max * 0.7);
  const tail = max - head;
  return `${message.slice(0, head)} … (${message.length - max} characters left out) … ${message.slice(message.length - tail)}`;
}
