/**
 * model.summary(): a Keras-like table, one row per layer (name, output shape in Keras's order h × w × c,
 * activation, parameters) and the total. The parameter counts are W and b as saved: conv2d F·C·kh·kw + F,
 * dense units·inputs + units, pooling/flatten/dropout none.
 */
import { biasCount, weightCount } from '../backend.ts';
import type { LayerSpec } from '../backend.ts';
import type { ModelLayer } from './shapes.ts';
import { describeShape } from './shapes.ts';

/** W and b of one layer: what it trains. */
export function parameterCount(l: LayerSpec): number {
  return weightCount(l) + biasCount(l);
}

/** What a row says about the layer's configuration: "3×3 s1 valid", "2×2 s2", "rate 0.5". */
function detail(l: ModelLayer): string {
  switch (l.kind) {
    case 'conv2d':
      return `${l.kernel[0]}×${l.kernel[1]} stride ${l.stride[0]}×${l.stride[1]} ${l.padding ?? ''}`;
    case 'maxPool2d':
    case 'avgPool2d':
      return `${l.size[0]}×${l.size[1]} stride ${l.stride[0]}×${l.stride[1]}`;
    case 'dropout':
      return `rate ${l.rate}`;
    default:
      return '';
  }
}

/** The table; `front` is a row to put first (the rbf layer's, which is not a LayerSpec). */
export function summaryTable(layers: readonly ModelLayer[], front: string | null): string {
  const rows = layers.map((l) => {
    const shape = `(${describeShape(l.outputShape).replaceAll('×', ', ')})`;
    const what = l.kind === 'dense' || l.kind === 'conv2d' || l.kind === undefined ? l.activation : '';
    return `  ${l.name.padEnd(13)} ${shape.padEnd(15)} ${what.padEnd(10)} ${String(parameterCount(l)).padStart(9)} params  ${detail(l)}`.trimEnd();
  });
  const header = `  ${'layer'.padEnd(13)} ${'output shape'.padEnd(15)} ${'activation'.padEnd(10)} ${'   params'}`;
  const total = layers.reduce((s, l) => s + parameterCount(l), 0);
  return [header, ...(front ? [front] : []), ...rows, `  total ${total} parameters`].join('\n');
}
