/**
 * The MNIST lab's settings: URL → form → checked Settings. Every field is checked with a message that names
 * it and says what it accepts, before anything is loaded or trained.
 *
 * URL options (all optional; the form starts with them, the tests drive the page with them):
 *   ?backend=auto|webgpu|cpu &layers=128 &activation=relu &optimizer=momentum &lr=0.05 &mode=mini|online|full
 *   &batch=32 &epochs=5 &train=8000 &test=2000 &seed=1 &autostart=1
 */
import { EMBEDDED_DIGITS } from './data.ts';

export type BackendChoice = 'auto' | 'webgpu' | 'cpu';
export type Activation = 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid';
export type OptimizerType = 'sgd' | 'momentum' | 'adam';
export interface Settings {
  backend: BackendChoice;
  layers: number[];
  activation: Activation;
  optimizer: OptimizerType;
  lr: number;
  mode: 'mini' | 'online' | 'full';
  batch: number;
  epochs: number;
  train: number;
  test: number;
  seed: number;
}

export const DEFAULTS: Settings = {
  backend: 'auto', layers: [128], activation: 'relu', optimizer: 'momentum', lr: 0.05, mode: 'mini', batch: 32, epochs: 5, train: 8000, test: 2000, seed: 1,
};

const CHOICES = {
  backend: ['auto', 'webgpu', 'cpu'],
  activation: ['relu', 'leakyRelu', 'tanh', 'sigmoid'],
  optimizer: ['sgd', 'momentum', 'adam'],
  mode: ['mini', 'online', 'full'],
} as const;

/** The form's values as strings, from the URL over the defaults. */
export function fromUrl(search: string): { values: Record<string, string>; autostart: boolean } {
  const q = new URLSearchParams(search);
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(DEFAULTS)) values[k] = q.get(k) ?? (Array.isArray(v) ? v.join(',') : String(v));
  return { values, autostart: q.get('autostart') === '1' || q.get('autostart') === 'true' };
}

export function fillForm(form: HTMLFormElement, values: Record<string, string>): void {
  for (const [k, v] of Object.entries(values)) {
    const el = form.elements.namedItem(k) as HTMLInputElement | HTMLSelectElement | null;
    if (el) el.value = v;
  }
}

export function readForm(form: HTMLFormElement): Settings {
  const v = (k: string) => (form.elements.namedItem(k) as HTMLInputElement | HTMLSelectElement).value.trim();
  const int = (k: string, label: string, lo: number, hi: number) => {
    const n = Number(v(k));
    if (!Number.isInteger(n) || n < lo || n > hi) throw new RangeError(`${label} must be a whole number from ${lo} to ${hi}, got '${v(k)}'`);
    return n;
  };
  const choice = <K extends keyof typeof CHOICES>(k: K): (typeof CHOICES)[K][number] => {
    const x = v(k);
    if (!(CHOICES[k] as readonly string[]).includes(x)) throw new RangeError(`${k} must be one of ${CHOICES[k].join(', ')}, got '${x}'`);
    return x as (typeof CHOICES)[K][number];
  };
  const layersText = v('layers');
  const layers = layersText === '' ? [] : layersText.split(/[\s,]+/).map(Number);
  if (layers.length > 4 || layers.some((n) => !Number.isInteger(n) || n < 1 || n > 1024)) {
    throw new RangeError(`hidden layers must be up to 4 whole numbers from 1 to 1024 separated by commas (e.g. 128 or 256,128), got '${layersText}'`);
  }
  const lr = Number(v('lr'));
  if (!(lr > 0 && lr <= 10)) throw new RangeError(`the learning rate must be a number above 0 and at most 10, got '${v('lr')}'`);
  const train = int('train', 'train digits', 10, EMBEDDED_DIGITS - 10);
  return {
    backend: choice('backend'),
    layers,
    activation: choice('activation'),
    optimizer: choice('optimizer'),
    lr,
    mode: choice('mode'),
    batch: int('batch', 'batch size', 1, 10_000),
    epochs: int('epochs', 'epochs', 1, 100),
    train,
    test: int('test', 'test digits', 10, EMBEDDED_DIGITS - train),
    seed: int('seed', 'seed', 0, 2 ** 31),
  };
}

/** The batch size `fit` gets: 1 online, 'full' for full batch, else the mini-batch size. */
export const batchSizeOf = (s: Settings): number | 'full' => (s.mode === 'online' ? 1 : s.mode === 'full' ? 'full' : s.batch);
