// `deltagpu summary`: the Keras-like table for a --layers list / --model before anything trains, and for a
// saved model read back from its file (the same rows as the model's own summary()).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { conv2d, dense, flatten, maxPool2d } from '../src/layers.ts';
import { sequential } from '../src/model.ts';
import { saveModel } from '../src/io/model-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(['summary', ...args], (s) => lines.push(s));
  return { code, text: lines.join('\n') };
}

describe('deltagpu summary', () => {
  it('--model cnn: the Keras MNIST convnet, 34,826 parameters as Keras counts them', async () => {
    const { code, text } = await run(['--model', 'cnn']);
    expect(code).toBe(0);
    // conv 32·1·3·3 + 32 = 320; conv 64·32·3·3 + 64 = 18,496; dense 10·1600 + 10 = 16,010
    expect(text).toMatch(/\(26, 26, 32\)\s+relu\s+320 params/);
    expect(text).toMatch(/\(11, 11, 64\)\s+relu\s+18496 params/);
    expect(text).toMatch(/\(1600\)\s+0 params/);
    expect(text).toMatch(/total 34826 parameters/);
  });

  it('--layers on another image size and class count', async () => {
    const { code, text } = await run(['--layers', 'conv4k5s2same,avgpool2,16', '--image', '20x12', '--classes', '3']);
    expect(code).toBe(0);
    // same padding, stride 2: 10×6, pooled 5×3; 4·5·3 = 60 → 16 → 3
    expect(text).toMatch(/\(10, 6, 4\)/);
    expect(text).toMatch(/\(5, 3, 4\)/);
    expect(text).toMatch(/total 1131 parameters/); // 4·25+4 + 16·60+16 + 3·16+3 = 104 + 976 + 51
  });

  it('a saved model: the rows its own summary() prints', async () => {
    const m = sequential([conv2d(3, 3, { inputShape: [9, 8, 2], activation: 'tanh' }), maxPool2d(2), flatten(), dense(5, { activation: 'softmax' })], { seed: 4 });
    const file = join(dir, 'm.safetensors');
    await saveModel(m, file);
    const { code, text } = await run([file]);
    expect(code).toBe(0);
    expect(text).toBe(`${file}:\n${m.summary()}`);
    expect(text).toMatch(/total 197 parameters/); // 3·2·9+3 = 57; 3·3·3 = 27 → 5: 140
  });

  it('a bad --image or a stray argument is refused by name', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((s: unknown) => void errors.push(String(s)));
    try {
      expect((await run(['--layers', '8', '--image', '28'])).code).toBe(1);
      expect((await run(['--layers', '8', 'extra'])).code).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join('\n')).toMatch(/--image must be HEIGHTxWIDTH, such as 28x28, got '28'/);
    expect(errors.join('\n')).toMatch(/usage: deltagpu summary/);
  });
});
