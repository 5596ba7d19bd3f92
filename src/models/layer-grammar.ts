/**
 * The architecture grammar of `deltagpu train --layers` (and of any text box that wants one): a comma-
 * separated list of items, each one layer, read left to right from the input image to the output layer
 * (which is not written: a dense layer of one unit per class with softmax is always added last).
 *
 *   128              a dense hidden layer of 128 units
 *   conv32k3         a conv2d layer: 32 filters of 3×3, stride 1, 'valid' (no padding)
 *   conv64k3s2same   … stride 2, 'same' padding (Keras/PyTorch: the output is ⌈h/stride⌉ wide)
 *   conv16k5x3       a 5×3 kernel (height × width)
 *   maxpool2         max pooling over 2×2 windows, stride = window (maxpool3s2: 3×3 windows, stride 2)
 *   avgpool2         average pooling, likewise
 *   dropout0.5       inverted dropout of that rate during training (0 < rate < 1)
 *   flatten          images → rows; inserted by itself before the first dense item after a conv or pool
 *
 * Two steps, both pure (no allocation, no I/O), so a bad list is refused by name before any data loads:
 *   parseLayerItems(text)         syntax only, an error naming the item and showing LAYER_GRAMMAR;
 *   planLayers(items, input, …)   shapes: every layer's output, an error naming the item where an image
 *                                 shrinks to nothing, where a conv follows a dense layer, or where the
 *                                 parameters or the activations of a batch pass the host limits.
 * The plan is a list of plain descriptions; the CLI turns it into model layers (src/cli/layer-model.ts).
 */
import type { ImageShape } from '../backend.ts';

export const LAYER_GRAMMAR = `items, comma-separated, input to output (the softmax output layer is added):
  N                 dense hidden layer of N units          e.g. 128
  conv<F>k<K>[x<K2>][s<S>][same|valid]   conv2d, F filters of K×K (or K×K2), stride S (default 1), padding (default valid)
                                                         e.g. conv32k3, conv64k3s2same
  maxpool<P>[s<S>]  max pooling, P×P windows, stride S (default P)     e.g. maxpool2
  avgpool<P>[s<S>]  average pooling, likewise
  dropout<R>        dropout of rate R, 0 < R < 1           e.g. dropout0.5
  flatten           images to rows (added before the first dense item after a conv or pool)`;

export type LayerItem =
  | { kind: 'dense'; units: number; item: string }
  | { kind: 'conv2d'; filters: number; kernel: [number, number]; stride: [number, number]; padding: 'valid' | 'same'; item: string }
  | { kind: 'maxPool2d' | 'avgPool2d'; size: [number, number]; stride: [number, number]; item: string }
  | { kind: 'dropout'; rate: number; item: string }
  | { kind: 'flatten'; item: string };

/** A layer of the plan with the shape it receives and gives (images [C, H, W]; rows [n]) and its parameter count. */
export type PlannedLayer = LayerItem & { inShape: readonly number[]; outShape: readonly number[]; params: number; auto?: true };

const CONV = /^conv(\d+)k(\d+)(?:x(\d+))?(?:s(\d+))?(same|valid)?$/;
const POOL = /^(max|avg)pool(\d+)(?:s(\d+))?$/;
const DROPOUT = /^dropout(\d*\.?\d+(?:e-?\d+)?)$/;

function grammarError(what: string): RangeError {
  return new RangeError(`--layers: ${what}\n${LAYER_GRAMMAR}`);
}

/** Whole numbers from the grammar's digits, each at least 1 (a 0-sized kernel or stride names its item). */
function positive(digits: string, item: string, what: string): number {
  const n = Number(digits);
  if (!Number.isSafeInteger(n) || n < 1) throw grammarError(`item '${item}': ${what} must be a whole number ≥ 1, got ${digits}`);
  return n;
}

/** Syntax only: the items of `text`, or an error naming the first item that is none of the grammar's. */
export function parseLayerItems(text: string): LayerItem[] {
  if (text.trim() === '') throw grammarError(`got an empty list`);
  return text.split(',').map((raw, i) => {
    const item = raw.trim();
    const lower = item.toLowerCase();
    if (item === '') throw grammarError(`item ${i + 1} is empty (in '${text}')`);
    // a plain number keeps what --layers always took, exponents included (1e9 is then refused by its size)
    if (/^[0-9.e+]+$/i.test(item)) {
      const units = Number(item);
      if (!Number.isInteger(units) || units < 1) throw grammarError(`item '${item}': a dense layer needs a whole number of units ≥ 1`);
      return { kind: 'dense', units, item };
    }
    let m = CONV.exec(lower);
    if (m) {
      const kh = positive(m[2], item, 'the kernel size');
      const stride = m[4] === undefined ? 1 : positive(m[4], item, 'the stride');
      return {
        kind: 'conv2d', item,
        filters: positive(m[1], item, 'the number of filters'),
        kernel: [kh, m[3] === undefined ? kh : positive(m[3], item, 'the kernel width')],
        stride: [stride, stride],
        padding: (m[5] ?? 'valid') as 'valid' | 'same',
      };
    }
    m = POOL.exec(lower);
    if (m) {
      const p = positive(m[2], item, 'the window size');
      const s = m[3] === undefined ? p : positive(m[3], item, 'the stride');
      return { kind: m[1] === 'max' ? 'maxPool2d' : 'avgPool2d', size: [p, p], stride: [s, s], item };
    }
    m = DROPOUT.exec(lower);
    if (m) {
      const rate = Number(m[1]);
      if (!(rate > 0 && rate < 1)) throw grammarError(`item '${item}': the dropout rate must be between 0 and 1 (exclusive), got ${m[1]}`);
      return { kind: 'dropout', rate, item };
    }
    if (lower === 'flatten') return { kind: 'flatten', item };
    throw grammarError(`item '${item}' (item ${i + 1}) is not a layer`);
  });
}

export interface PlanOptions {
  /** the data's images [channels, height, width] */
  image: ImageShape;
  /** units of the output layer (classes) */
  classes: number;
  /** patterns per step, for the activation limit */
  batchSize: number;
  /** the most parameters a model may have (MAX_PARAMETERS) */
  maxParameters: number;
}

const shapeText = (s: readonly number[]) => (s.length === 3 ? `${s[0]}×${s[1]}×${s[2]} (channels×height×width)` : `${s[0]} values`);

/**
 * Every layer's shapes for items on `image`-shaped inputs, the automatic flatten and the softmax output layer
 * included. A list of dense items alone stays a plain MLP on rows (no flatten: its input is the flat row).
 * Throws naming the item whose input is too small for its window, a conv or pool after the images became
 * rows, or the totals beyond the limits.
 */
export function planLayers(items: readonly LayerItem[], options: PlanOptions): PlannedLayer[] {
  const { image, classes, batchSize, maxParameters } = options;
  const spatial = items.some((l) => l.kind === 'conv2d' || l.kind === 'maxPool2d' || l.kind === 'avgPool2d');
  let shape: readonly number[] = spatial ? image : [image[0] * image[1] * image[2]];
  const out: PlannedLayer[] = [];
  const push = (l: LayerItem, outShape: readonly number[], params: number, auto = false) => {
    out.push({ ...l, inShape: shape, outShape, params, ...(auto ? { auto: true as const } : {}) });
    shape = outShape;
  };
  const all = [...items, { kind: 'dense', units: classes, item: `output (${classes} units, softmax)` } as LayerItem];
  all.forEach((l, i) => {
    const where = i < items.length ? `item '${l.item}' (item ${i + 1})` : 'the output layer';
    if (l.kind === 'conv2d' || l.kind === 'maxPool2d' || l.kind === 'avgPool2d') {
      if (shape.length !== 3) throw grammarError(`${where} needs an image, but the layers before it made rows of ${shape[0]} values (convolution and pooling come before the dense layers)`);
      const [c, h, w] = shape;
      const [kh, kw] = l.kind === 'conv2d' ? l.kernel : l.size;
      const [sy, sx] = l.stride;
      const same = l.kind === 'conv2d' && l.padding === 'same';
      if (!same && (h < kh || w < kw)) {
        throw grammarError(`${where} has a ${kh}×${kw} window but its input is ${shapeText(shape)}: the image shrinks to nothing (${describePlan(out, image)})`);
      }
      const oh = same ? Math.ceil(h / sy) : Math.floor((h - kh) / sy) + 1;
      const ow = same ? Math.ceil(w / sx) : Math.floor((w - kw) / sx) + 1;
      if (l.kind === 'conv2d') push(l, [l.filters, oh, ow], l.filters * c * kh * kw + l.filters);
      else push(l, [c, oh, ow], 0);
    } else if (l.kind === 'flatten') {
      push(l, [shape.reduce((a, b) => a * b, 1)], 0);
    } else if (l.kind === 'dropout') {
      push(l, shape, 0);
    } else if (l.kind === 'dense') {
      if (shape.length === 3) push({ kind: 'flatten', item: 'flatten' }, [shape[0] * shape[1] * shape[2]], 0, true);
      push(l, [l.units], l.units * shape[0] + l.units);
    }
  });
  const params = out.reduce((n, l) => n + l.params, 0);
  if (params > maxParameters) {
    const worst = out.reduce((a, b) => (b.params > a.params ? b : a));
    throw grammarError(`the network has ${params} parameters, more than the ${maxParameters} allowed (1 GiB of float32); the most are in '${worst.item}' (${worst.params}): ${describePlan(out, image)}`);
  }
  for (const l of out) {
    const units = l.outShape.reduce((a, b) => a * b, 1);
    // one layer's activations for a batch, held at least twice (values and deltas): the same 1 GiB bound
    if (units * batchSize > maxParameters) {
      throw grammarError(`'${l.item}' gives ${shapeText(l.outShape)} per image, ${units * batchSize} values for a batch of ${batchSize}: more than the ${maxParameters} allowed (1 GiB of float32)`);
    }
  }
  return out;
}

/** 'input 1×28×28 → conv32k3 32×26×26 → …', the shapes as planned so far (for errors and the model line). */
export function describePlan(plan: readonly PlannedLayer[], image: ImageShape): string {
  const first = plan.length > 0 ? plan[0].inShape : image;
  const dims = (s: readonly number[]) => s.join('×');
  return [`input ${dims(first)}`, ...plan.map((l) => `${l.auto ? 'flatten' : l.item.split(' ')[0]} ${dims(l.outShape)}`)].join(' → ');
}

/** Whether a plan is a plain MLP (dense layers only, no dropout): the CLI's historical 784-128-10 naming. */
export function isPlainMlp(items: readonly LayerItem[]): boolean {
  return items.every((l) => l.kind === 'dense');
}

/** The named models of `--model`: the architecture each stands for, as items of this grammar. */
export const NAMED_MODELS = {
  /** the CLI's default: one hidden layer of 128 ReLU units */
  mlp: '128',
  /** Keras's "Simple MNIST convnet" (keras.io/examples/vision/mnist_convnet): 34,826 parameters */
  cnn: 'conv32k3,maxpool2,conv64k3,maxpool2,flatten,dropout0.5',
} as const;
