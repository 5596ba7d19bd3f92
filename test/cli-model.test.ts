/**
 * `deltagpu train mnist --model / --layers / --target`: a bad --layers item or a shape that shrinks to
 * nothing is refused by name, with the grammar, before any data loads (the loaders are counted); --target
 * stops at the first epoch whose test accuracy reaches it and says when.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock('../src/data/mnist.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/data/mnist.ts')>();
  return { ...real, loadMnist: (...a: Parameters<typeof real.loadMnist>) => (loads.count++, real.loadMnist(...a)) };
});
vi.mock('../src/data/official-mnist.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/data/official-mnist.ts')>();
  return { ...real, loadOfficialMnist: (...a: Parameters<typeof real.loadOfficialMnist>) => (loads.count++, real.loadOfficialMnist(...a)) };
});
const { main } = await import('../src/cli/main.ts');

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-cli-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function train(args: string[]): Promise<{ code: number; err: string; out: string[] }> {
  const errors: string[] = [];
  const out: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((s: unknown) => void errors.push(String(s)));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (errors.push(String(s)), true));
  const code = await main(['train', 'mnist', '--backend', 'cpu', '--quiet', '--out', join(dir, 'm.safetensors'), ...args], (s) => out.push(s));
  return { code, err: errors.join('\n'), out };
}

describe('train mnist --layers: refused before the data loads', () => {
  for (const data of ['official', 'embedded']) {
    it(`a bad item is named, with the grammar (--data ${data})`, async () => {
      loads.count = 0;
      const { code, err } = await train(['--data', data, '--layers', 'conv32k3,pool2,128']);
      expect(code).toBe(1);
      expect(err).toMatch(/--layers: item 'pool2' \(item 2\) is not a layer/);
      expect(err).toMatch(/conv<F>k<K>.*maxpool<P>.*dropout<R>/s);
      expect(loads.count).toBe(0);
    });
  }

  it('an image that shrinks to nothing names the item and the shapes', async () => {
    loads.count = 0;
    const { code, err } = await train(['--layers', 'conv8k5,maxpool2,conv8k5,maxpool2,conv8k5']);
    expect(code).toBe(1);
    // 28 → 24 → 12 → 8 → 4, then a 5×5 window
    expect(err).toMatch(/item 'conv8k5' \(item 5\) has a 5×5 window but its input is 8×4×4 .* shrinks to nothing \(input 1×28×28 → conv8k5 8×24×24 → maxpool2 8×12×12 → conv8k5 8×8×8 → maxpool2 8×4×4\)/);
    expect(loads.count).toBe(0);
  });

  it('a conv after the dense layers, and --model and --target values, are named', async () => {
    loads.count = 0;
    expect((await train(['--layers', '128,conv8k3'])).err).toMatch(/item 'conv8k3' \(item 2\) needs an image, but the layers before it made rows of 128 values/);
    expect((await train(['--model', 'lenet'])).err).toMatch(/--model must be one of mlp, cnn, rbf, got 'lenet'/);
    expect((await train(['--target', '99'])).err).toMatch(/--target must be an accuracy between 0 and 1, such as 0.99, got '99'/);
    expect(loads.count).toBe(0);
  });
});

describe('train mnist --target', () => {
  it('stops after the first epoch whose test accuracy reaches it, and prints the time to it', async () => {
    const { code, out } = await train(['--data', 'embedded', '--train', '2000', '--test', '500', '--epochs', '20', '--target', '0.8', '--json']);
    expect(code).toBe(0);
    const s = JSON.parse(out.at(-1)!);
    // one epoch on 2,000 digits already gives ~87% (a broken trainer never reaches 80% and runs all 20)
    expect(s.epochs).toBeLessThan(20);
    expect(s.history.testAccuracy.at(-1)).toBeGreaterThanOrEqual(0.8);
    expect(s.history.testAccuracy.slice(0, -1).every((a: number) => a < 0.8)).toBe(true);
    expect(s.targetReached).toMatchObject({ epoch: s.epochs, accuracy: s.history.testAccuracy.at(-1) });
    expect(s.targetReached.seconds).toBeGreaterThan(0);
    expect(s.targetReached.seconds).toBeLessThanOrEqual(s.seconds);
  });
});

describe('train mnist with a conv net (CPU, a tiny slice)', () => {
  it('trains the --layers conv net it prints, above chance, and saves it', async () => {
    const { code, out, err } = await train(['--data', 'official', '--layers', 'conv8k3s2,maxpool2,dropout0.25,32', '--optimizer', 'adam', '--lr', '0.003', '--batch-size', '16', '--train', '800', '--test', '200', '--epochs', '3']);
    expect(code).toBe(0);
    const text = out.join('\n');
    // (28 − 3)/2 + 1 = 13, pool 2 → 6: 8·6·6 = 288 values into the 32 units
    expect(text).toMatch(/model: input 1×28×28 → conv8k3s2 8×13×13 → maxpool2 8×6×6 → dropout0\.25 8×6×6 → flatten 288 → 32 32 → output 10 \(relu, softmax \+ cross-entropy\), adam lr 0\.003, batch 16, 3 epochs/);
    const acc = Number(text.match(/test accuracy ([\d.]+)%/)![1]);
    // 3 epochs on 800 digits give this net 82–88% (seeds 1–3); a conv path that does not learn stays near 10%
    expect(acc).toBeGreaterThan(70);
    expect(text).toMatch(/saved: .*m\.safetensors \(safetensors\) and .*m\.svg/);
    expect(err).not.toMatch(/cannot save/);
  });

  it('a conv net checkpoints every epoch, and --resume ends with the weights of an uninterrupted run', async () => {
    const slice = ['--data', 'embedded', '--train', '96', '--test', '32', '--batch-size', '32', '--layers', 'conv4k3,maxpool2,flatten,dropout0.25', '--optimizer', 'adam'];
    const whole = await train([...slice, '--epochs', '2', '--out', join(dir, 'whole.safetensors')]);
    expect(whole.code, whole.err).toBe(0);
    const first = await train([...slice, '--epochs', '1', '--checkpoint-every', '1', '--out', join(dir, 'cut.safetensors')]);
    expect(first.code, first.err).toBe(0);
    const ckpt = join(dir, 'cut.ckpt.e0001.safetensors');
    const resumed = await main(['train', '--resume', ckpt, '--epochs', '2', '--quiet', '--out', join(dir, 'resumed.safetensors')], () => {});
    expect(resumed).toBe(0);
    const { loadModel } = await import('../src/io/model-file.ts');
    const a = (await loadModel(join(dir, 'whole.safetensors'))).model;
    const b = (await loadModel(join(dir, 'resumed.safetensors'))).model;
    const { kindOf } = await import('../src/backend.ts');
    expect(a.layerSpecs.map(kindOf)).toEqual(['conv2d', 'maxPool2d', 'flatten', 'dropout', 'dense']);
    const wa = await a.getWeights();
    const wb = await b.getWeights();
    expect(wb.length).toBe(wa.length);
    for (let i = 0; i < wa.length; i++) expect(Array.from(wb[i].W), `layer ${i} W`).toEqual(Array.from(wa[i].W));
  });
});
