/**
 * The browser demo (demo/) end to end in headless Chromium: the production build served by `vite preview`
 * on 127.0.0.1 (test/helpers/demo-browser.ts), each page driven as a person would, with WebGPU on
 * Chromium's own SwiftShader adapter. Every page must raise no error and request nothing from any host but
 * the local server; a screenshot of each lands in the test output.
 *
 *   XOR stepper   four steps equal `deltagpu xor --trace --format json` (1e-6), on the CPU and on WebGPU
 *   playground    XOR and circle reach ≥ 95% test accuracy on WebGPU; the heat map's pixels change; the
 *                 perceptron separates AND (zero errors, its line drawn) and says no line separates XOR; the
 *                 RBF network reaches ≥ 95% on circle on WebGPU with its k-means centres drawn
 *   MNIST lab     a short run's loss falls, the charts draw, a drawn stroke is predicted, a saved model loads
 *                 back and predicts the same, a corrupt upload shows an error; the pad drawn from the keyboard
 *   verify        the start page's "verify this GPU" runs verifyBackend's quick plan in the page: every kernel
 *                 group listed (each matmul kernel × form, activation, loss, optimizer, training mode) passes
 *                 on SwiftShader, the adapter is named; without navigator.gpu the panel offers nothing to run
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../src/index.ts';
import { decodeModel } from '../src/index.ts';
import { runOnnx } from './helpers/onnx-runtime.ts';
import { QUICK_MATMUL_SHAPES } from '../src/verify/matmul.ts';
import { hasChromium, startDemo, warnIfNoChromium } from './helpers/demo-browser.ts';
import type { DemoHarness } from './helpers/demo-browser.ts';
import { cliTrace, expectClose, finish, idle, isInk, planePixelAt, planePixels } from './helpers/demo-pages.ts';
import { expectEveryGroup } from './helpers/verify-groups.ts';

warnIfNoChromium();

describe.skipIf(!hasChromium)('browser demo (headless Chromium, WebGPU on SwiftShader)', () => {
  let demo: DemoHarness;

  beforeAll(async () => {
    demo = await startDemo();
  }, 180_000);
  afterAll(async () => {
    await demo?.close();
  });

  it("XOR stepper: four steps equal the CLI's --trace JSON on the CPU and on WebGPU", async () => {
    const reference = await cliTrace('cpu');
    const t = await demo.open('index.html');
    const { page } = t;
    // the start page links to the stepper; the page starts on the lecture's exact example
    await page.getByRole('link', { name: /^XOR/ }).first().click();
    await page.waitForURL(/xor\.html/);
    await expect.poll(() => page.locator('#adapter').getAttribute('data-gpu'), { timeout: 20_000 }).toBe('true');
    await idle(page);
    expect(await page.locator('#mode').inputValue()).toBe('exact');
    const trace = page.locator('[data-xor-trace]');
    const step = page.getByRole('button', { name: /^Step/ }).first();
    const rows = async () => JSON.parse((await trace.getAttribute('data-xor-trace')) ?? '[]') as unknown[];

    for (const backend of ['cpu', 'webgpu'] as const) {
      await page.locator('#reset').click();
      await page.locator('#backend').selectOption(backend);
      await idle(page);
      expect(await rows()).toEqual([]);
      for (let k = 0; k < 4; k++) await step.click();
      await expect.poll(async () => (await rows()).length, { timeout: 60_000 }).toBe(4);
      await idle(page);
      expect(await page.evaluate(() => document.body.dataset.state)).toBe('idle');
      const shown = await rows();
      expectClose(shown, reference, 1e-6);
      // the backend that computed the rows is the one selected (a silent CPU fallback would match the CLI too)
      expect(await page.evaluate(() => document.body.dataset.backend)).toBe(backend);
      console.log(`demo-browser: XOR stepper on ${backend}: 4 rows equal the CLI's (cpu) within 1e-6; o1 = ${(shown as { output: number[] }[]).map((r) => r.output[0].toFixed(6)).join(', ')}`);
      if (backend === 'webgpu') {
        // and the CLI itself on WebGPU (Dawn in Node), where this process has an adapter
        const cliGpu = await cliTrace('webgpu').catch((e: Error) => {
          if (process.env.CI) throw e;
          console.warn(`  (no WebGPU for the CLI in Node: ${e.message}; compared with its cpu JSON only)`);
          return null;
        });
        if (cliGpu) {
          expectClose(shown, cliGpu, 1e-6);
          console.log("  …and equal the CLI's --backend webgpu JSON within 1e-6");
        }
      }
    }
    // XOR with bias: the rows carry the biases, the table grows their columns, and four steps equal
    // `deltagpu xor --bias --trace --format json` (same seed and α), on the CPU and on WebGPU
    const biasReference = await cliTrace('cpu', { bias: true });
    await page.locator('#mode').selectOption('bias');
    for (const backend of ['cpu', 'webgpu'] as const) {
      await page.locator('#reset').click();
      await page.locator('#backend').selectOption(backend);
      await idle(page);
      expect(await rows()).toEqual([]);
      for (let k = 0; k < 4; k++) await step.click();
      await expect.poll(async () => (await rows()).length, { timeout: 60_000 }).toBe(4);
      await idle(page);
      expect(await page.evaluate(() => document.body.dataset.backend)).toBe(backend);
      const biasRows = (await rows()) as { biasHidden?: number[]; biasOutput?: number[] }[];
      expect(biasRows[0].biasHidden).toHaveLength(2);
      expect(biasRows[0].biasOutput).toHaveLength(1);
      expectClose(biasRows, biasReference, 1e-6);
      console.log(`demo-browser: XOR stepper with bias on ${backend}: 4 rows equal \`deltagpu xor --bias --trace --format json\` within 1e-6`);
    }
    expect(await page.locator('#formulas').innerText()).toContain('bo  = ');
    await page.locator('#mode').selectOption('exact');
    await idle(page);
    for (let k = 0; k < 4; k++) await step.click();
    await expect.poll(async () => (await rows()).length, { timeout: 60_000 }).toBe(4);
    // the table and the filled-in formulas show the same numbers; stepping back drops the last row
    await expect.poll(() => page.locator('#trace tbody tr').count()).toBe(4);
    expect(await page.locator('#formulas').innerText()).toMatch(/Δo {2}= o·\(1−o\)·\(T−o\) = [\d.]+·\(1−[\d.]+\)·\(0−[\d.]+\) = -0\.\d{4}/);
    // choosing the first row (by keyboard) shows that pattern's formulas
    await page.locator('#trace tr[data-row="0"]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#formulas').innerText()).toMatch(/^pattern 1 of epoch 1: x = \(0, 0\), T = 0/);
    await page.getByRole('button', { name: 'Step back' }).click();
    await expect.poll(async () => (await rows()).length).toBe(3);
    await page.getByRole('button', { name: 'Step forward' }).click();
    await expect.poll(async () => (await rows()).length).toBe(4);
    await finish(demo, t, 'xor-stepper');
  }, 150_000);

  it('playground: XOR and circle train to ≥ 95% test accuracy on WebGPU, and the heat map changes', async () => {
    const t = await demo.open('playground.html?dataset=xor&backend=webgpu&showTest=1');
    const { page } = t;
    await expect.poll(() => page.locator('#adapter').getAttribute('data-gpu'), { timeout: 20_000 }).toBe('true');
    for (const dataset of ['xor', 'circle']) {
      await page.locator('select[name=dataset]').selectOption(dataset);
      await expect.poll(() => page.locator('#epoch').getAttribute('data-value'), { timeout: 30_000 }).toBe('0');
      await idle(page);
      const before = await planePixels(page);
      await page.locator('#run').click();
      // bounded: SwiftShader is slow and the machine shared; measured about 40 epochs for both
      await page.waitForFunction(() => Number(document.getElementById('test-accuracy')!.dataset.value) >= 0.95 || document.body.dataset.state === 'error', null, { timeout: 120_000 });
      await page.locator('#run').click(); // pause
      await idle(page);
      const accuracy = Number(await page.locator('#test-accuracy').getAttribute('data-value'));
      const epochs = await page.locator('#epoch').getAttribute('data-value');
      expect(accuracy, await page.locator('#pg-error').innerText()).toBeGreaterThanOrEqual(0.95);
      // it trained on WebGPU, not on a CPU it fell back to
      expect(await page.evaluate(() => document.body.dataset.backend)).toBe('webgpu');
      const after = await planePixels(page);
      let changed = 0;
      for (let i = 0; i < after.length; i += 4) if (Math.abs(after[i] - before[i]) + Math.abs(after[i + 2] - before[i + 2]) > 30) changed++;
      expect(changed / (after.length / 4)).toBeGreaterThan(0.1);
      console.log(`demo-browser: playground ${dataset}: test accuracy ${(accuracy * 100).toFixed(1)}% after ${epochs} epochs on WebGPU; ${((100 * changed) / (after.length / 4)).toFixed(0)}% of the heat map's pixels changed; ${await page.locator('#steps-per-second').innerText()} steps/s`);
    }
    // hovering a data point shows every unit's δ for it
    await page.locator('#plane').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('#hover').innerText()).toContain('output δ = [');
    // the layer buttons edit the network, which starts again untrained
    await page.getByRole('button', { name: 'add a hidden layer of 4 units' }).click();
    await page.getByRole('button', { name: 'one unit fewer in hidden layer 1' }).click();
    expect(await page.locator('input[name=hidden]').inputValue()).toBe('3,4,4');
    await expect.poll(() => page.locator('#epoch').getAttribute('data-value')).toBe('0');
    await idle(page);
    await finish(demo, t, 'playground');
  }, 300_000);

  it('playground: the perceptron separates AND and gives up on XOR; the RBF network learns circle with its centres drawn', async () => {
    const t = await demo.open('playground.html?model=perceptron&dataset=and&noise=0&points=40&backend=webgpu');
    const { page } = t;
    await expect.poll(() => page.locator('#adapter').getAttribute('data-gpu'), { timeout: 20_000 }).toBe('true');
    await idle(page);
    const status = page.locator('#model-status');
    const trainUntilDone = async () => {
      await page.locator('#run').click();
      // the page pauses by itself once the rule converges or gives up (PERCEPTRON_MAX_EPOCHS)
      await page.waitForFunction(() => document.body.dataset.state === 'error' || (document.body.dataset.state === 'idle' && /epochs/.test(document.getElementById('model-status')!.textContent ?? '')), null, { timeout: 120_000 });
      expect(await page.locator('#pg-error').innerText()).toBe('');
      return status.innerText();
    };
    const andStatus = await trainUntilDone();
    expect(andStatus).toMatch(/misclassified per epoch: [\d, …]*\b0 — converged after \d+ epochs/);
    // the line w·x + b = 0 is drawn: the pixel where it passes nearest the origin is the line's dark ink
    const line = JSON.parse((await page.locator('#plane').getAttribute('data-line')) || 'null') as { w: [number, number]; b: number } | null;
    expect(line).not.toBeNull();
    const { w, b } = line!;
    const foot = [(-b * w[0]) / (w[0] ** 2 + w[1] ** 2), (-b * w[1]) / (w[0] ** 2 + w[1] ** 2)];
    expect(Math.max(...foot.map(Math.abs))).toBeLessThan(1.2);
    expect(isInk(await planePixelAt(page, foot[0], foot[1])), 'the line drawn through its foot point').toBe(true);
    // every training point is on its side of the line (class 1 where w·x + b > 0)
    expect(Number(await page.locator('#test-accuracy').getAttribute('data-value'))).toBeGreaterThanOrEqual(0.9);
    expect(await page.evaluate(() => document.body.dataset.backend)).toBe('webgpu');
    console.log(`demo-browser: perceptron on AND: ${andStatus}`);

    await page.locator('select[name=dataset]').selectOption('xor');
    await expect.poll(() => page.locator('#epoch').getAttribute('data-value'), { timeout: 30_000 }).toBe('0');
    await idle(page);
    const xorStatus = await trainUntilDone();
    expect(xorStatus).toContain("not converged after 50 epochs: no straight line separates XOR's classes");
    console.log(`demo-browser: perceptron on XOR: ${xorStatus.slice(0, 90)}…`);
    // δ on hover is the rule's e = d − y: 0 or ±1 for a step unit (½ exactly on the line)
    await page.locator('#plane').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('#hover').innerText()).toMatch(/output δ = \[-?(0|1|0\.5)\.?0*\]/);
    await finish(demo, t, 'playground-perceptron');

    // the RBF network: k-means centres (drawn, with σ) before any training, then the output layer learns
    const r = await demo.open('playground.html?model=rbf&dataset=circle&centres=10&lr=0.3&backend=webgpu&showTest=1');
    await expect.poll(() => r.page.locator('#adapter').getAttribute('data-gpu'), { timeout: 20_000 }).toBe('true');
    const shownCentres = async () => JSON.parse((await r.page.locator('#plane').getAttribute('data-centres')) || '[]') as { x: number; y: number; r: number }[];
    await expect.poll(async () => (await shownCentres()).length, { timeout: 30_000 }).toBe(10);
    await idle(r.page);
    const centres = await shownCentres();
    for (const c of centres) {
      expect(Math.max(Math.abs(c.x), Math.abs(c.y))).toBeLessThan(1.1);
      expect(c.r).toBeGreaterThan(0);
      expect(isInk(await planePixelAt(r.page, c.x, c.y)), `a cross drawn at centre (${c.x}, ${c.y})`).toBe(true);
    }
    await r.page.locator('#run').click();
    await r.page.waitForFunction(() => Number(document.getElementById('test-accuracy')!.dataset.value) >= 0.95 || document.body.dataset.state === 'error', null, { timeout: 120_000 });
    await r.page.locator('#run').click(); // pause
    await idle(r.page);
    const accuracy = Number(await r.page.locator('#test-accuracy').getAttribute('data-value'));
    expect(accuracy, await r.page.locator('#pg-error').innerText()).toBeGreaterThanOrEqual(0.95);
    expect(await r.page.evaluate(() => document.body.dataset.backend)).toBe('webgpu');
    // the centres stay where k-means put them: only the output layer trains
    expect(JSON.parse((await r.page.locator('#plane').getAttribute('data-centres')) || '[]')).toEqual(centres);
    // the network view and δ on hover work on φ: ten inputs to the output unit
    await r.page.locator('#plane').focus();
    await r.page.keyboard.press('ArrowRight');
    await expect.poll(() => r.page.locator('#hover').innerText()).toMatch(/output δ = \[-?\d\.\d{4}\]/);
    console.log(`demo-browser: RBF network (10 centres) on circle: test accuracy ${(accuracy * 100).toFixed(1)}% after ${await r.page.locator('#epoch').getAttribute('data-value')} epochs on WebGPU`);
    await finish(demo, r, 'playground-rbf');
  }, 300_000);

  it('MNIST lab: loss falls, charts draw, a drawing is predicted, a saved model loads back the same, its ONNX download runs in ONNX Runtime, a corrupt file is refused', async () => {
    const t = await demo.open('mnist.html?train=1500&test=400&epochs=2&batch=32&lr=0.05&backend=webgpu&seed=1&autostart=1');
    const { page } = t;
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 150_000 });
    const log = await page.locator('#log').innerText();
    expect(await page.evaluate(() => document.body.dataset.state), log).toBe('done');
    expect(await page.locator('#backend-used').textContent()).toMatch(/WebGPU on \S+/);
    const losses = JSON.parse((await page.evaluate(() => document.body.dataset.losses)) ?? '[]') as number[];
    expect(losses).toHaveLength(2);
    expect(losses[1]).toBeLessThan(losses[0]);
    expect(await page.locator('#chart svg polyline, #chart svg path').count()).toBeGreaterThan(0);
    expect(await page.locator('#live-chart svg').count()).toBe(1);
    await expect.poll(() => page.locator('#confusion tbody tr').count()).toBe(10);
    const accuracy = Number(await page.locator('#test-accuracy').getAttribute('data-value'));
    expect(accuracy).toBeGreaterThan(0.7); // measured 81% after 1 epoch of 2,000; chance is 10%
    // a misclassified digit shows its probabilities when chosen
    await page.locator('.thumb').first().click();
    await expect.poll(() => page.locator('#gallery-probs .prob').count()).toBe(10);

    // draw a "1"
    await page.locator('#pad').scrollIntoViewIfNeeded();
    const pad = (await page.locator('#pad').boundingBox())!;
    await page.mouse.move(pad.x + pad.width * 0.52, pad.y + pad.height * 0.15);
    await page.mouse.down();
    await page.mouse.move(pad.x + pad.width * 0.48, pad.y + pad.height * 0.85, { steps: 12 });
    await page.mouse.up();
    const prediction = page.locator('#prediction');
    await expect.poll(() => prediction.getAttribute('data-value'), { timeout: 15_000 }).toBe('1');
    // the last queued prediction (after pointerup) has been shown: wait for the state, not for a time
    await expect.poll(() => prediction.getAttribute('data-pending'), { timeout: 15_000 }).toBe('0');
    const probsBefore = JSON.parse((await prediction.getAttribute('data-probs'))!) as number[];
    console.log(`demo-browser: MNIST lab on WebGPU: losses ${losses.map((l) => l.toFixed(4)).join(' → ')}, test accuracy ${(accuracy * 100).toFixed(1)}%, a drawn stroke predicted as 1 (${(probsBefore[1] * 100).toFixed(1)}%)`);

    // save → load back → the same probabilities
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#save-button').click()]);
    const saved = await download.path();
    const bytes = readFileSync(saved);
    expect(bytes.length).toBeGreaterThan(784 * 128 * 4);
    // download as ONNX: ONNX Runtime in Node gives what the saved model predicts, within 1e-5
    const [onnxDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#onnx-button').click()]);
    expect(onnxDownload.suggestedFilename()).toBe('mnist-model.onnx');
    await expect.poll(() => page.locator('#model-status').innerText()).toMatch(/saved mnist-model\.onnx \([\d,]+ bytes; ONNX Runtime input 'input' \[N, 784\]/);
    const { model: fromFile } = await decodeModel(new Uint8Array(bytes), 'mnist-model.safetensors', { backend: 'cpu' });
    const rows = Array.from({ length: 5 }, (_, r) => Array.from({ length: 784 }, (_, i) => ((i * 7 + r * 13) % 17) / 16));
    const onnx = await runOnnx(readFileSync(await onnxDownload.path()), Float32Array.from(rows.flat()), [5, 784]);
    const expected = (await fromFile.predict(rows)).data;
    expect(Math.max(...Array.from(expected, (v, i) => Math.abs(v - onnx.data[i])))).toBeLessThan(1e-5);
    await fromFile.dispose();
    await page.locator('#load-input').setInputFiles({ name: 'mnist-model.safetensors', mimeType: 'application/octet-stream', buffer: bytes });
    await expect.poll(() => page.locator('#model-status').innerText(), { timeout: 30_000 }).toContain('loaded mnist-model.safetensors');
    await expect.poll(async () => {
      const p = JSON.parse((await prediction.getAttribute('data-probs')) ?? '[]') as number[];
      return p.length === 10 && p.every((v, k) => Math.abs(v - probsBefore[k]) < 1e-5);
    }, { timeout: 15_000 }).toBe(true);

    // corrupt files: a clear message naming the file, and the page keeps working
    for (const [name, buffer] of [['garbage.safetensors', Buffer.from('this is not a model at all')], ['truncated.safetensors', bytes.subarray(0, bytes.length - 1000)]] as const) {
      await page.locator('#load-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
      await expect.poll(() => page.locator('#model-status').getAttribute('data-kind'), { timeout: 10_000 }).toBe('error');
      await expect.poll(() => page.locator('#model-status').innerText()).toContain(`could not load ${name}: ${name}`);
      console.log(`  ${await page.locator('#model-status').innerText()}`);
      await page.locator('#model-status').evaluate((el) => (el.dataset.kind = ''));
    }
    await page.locator('#clear').click();
    await expect.poll(() => prediction.getAttribute('data-value')).toBe('');
    await finish(demo, t, 'mnist-lab');
  }, 300_000);

  it('MNIST lab: the pad works from the keyboard (Tab to it, arrows move the pen, Space draws, Escape clears)', async () => {
    const t = await demo.open('mnist.html?train=1000&test=200&epochs=1&batch=32&backend=cpu&seed=1&autostart=1');
    const { page } = t;
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 90_000 });
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('done');
    // reachable by Tab: in the tab order, and focus shows the pen
    expect(await page.locator('#pad').getAttribute('tabindex')).toBe('0');
    await page.locator('#pad').focus();
    expect(await page.locator('#pad-cursor').isVisible()).toBe(true);
    expect(await page.locator('#pad-status').innerText()).toBe('pen up at column 15, row 15 of 28');
    // a '1': pen down at the top, eight rows down, pen up
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Shift+ArrowUp');
    await page.keyboard.press('Space');
    for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowDown');
    expect(await page.locator('#pad-status').innerText()).toBe('pen down at column 15, row 18 of 28');
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('#prediction').getAttribute('data-value'), { timeout: 30_000 }).toMatch(/^\d$/);
    const probs = JSON.parse((await page.locator('#prediction').getAttribute('data-probs'))!) as number[];
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    // the stroke reached the network's 28×28 view
    const ink = await page.locator('#preview').evaluate((c) => {
      const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 28, 28).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n++;
      return n;
    });
    expect(ink).toBeGreaterThan(10);
    // arrows and Space drew instead of scrolling the page
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#prediction').innerText()).toBe('–');
    console.log(`demo-browser: keyboard-drawn '1' predicted as ${probs.indexOf(Math.max(...probs))}, ${ink} lit pixels in the 28×28 view`);
    await finish(demo, t, 'mnist-lab-keyboard');
  }, 150_000);

  it('MNIST lab: Pause holds training still, Resume goes on, Stop ends it with a usable model', async () => {
    const t = await demo.open('mnist.html?train=2000&test=200&epochs=50&batch=32&backend=cpu&seed=2&autostart=1');
    const { page } = t;
    const progress = () => page.locator('#progress').evaluate((el) => (el as HTMLProgressElement).value);
    await page.waitForFunction(() => document.body.dataset.state === 'training', null, { timeout: 60_000 });
    await expect.poll(progress, { timeout: 60_000 }).toBeGreaterThan(0.001);
    await page.locator('#pause-button').click();
    await expect.poll(() => page.evaluate(() => document.body.dataset.state)).toBe('paused');
    expect(await page.locator('#pause-button').innerText()).toBe('Resume');
    // wait for the state, not for a time: the training loop is parked at the gate before its next tick (the
    // tick under way when Pause was pressed has finished, however slow the machine)
    await page.waitForFunction(() => document.body.dataset.gate === 'held', null, { timeout: 60_000 });
    const held = await progress();
    // while held nothing moves: still parked, same progress, however long we look (a short look here; a
    // longer one could only make this check more sensitive, never make it fail on a slow machine)
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => [document.body.dataset.state, document.body.dataset.gate])).toEqual(['paused', 'held']);
    expect(await progress()).toBe(held);
    await page.locator('#pause-button').click();
    await expect.poll(progress, { timeout: 30_000 }).toBeGreaterThan(held);
    await page.locator('#stop-button').click();
    await page.waitForFunction(() => ['stopped', 'done', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 30_000 });
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('stopped');
    expect(await progress()).toBeLessThan(1);
    // the weights reached so far are kept: the confusion matrix is filled and the model can be saved
    await expect.poll(() => page.locator('#confusion tbody tr').count()).toBe(10);
    expect(Number(await page.locator('#test-accuracy').getAttribute('data-value'))).toBeGreaterThan(0.5);
    expect(await page.locator('#save-button').isDisabled()).toBe(false);
    console.log(`demo-browser: MNIST lab paused at ${(held * 100).toFixed(1)}% and stopped at ${((await progress()) * 100).toFixed(1)}%; test accuracy ${await page.locator('#test-accuracy').innerText()}`);
    await finish(demo, t, 'mnist-lab-stopped');
  }, 150_000);

  it('works at phone width and by keyboard: the start page reaches all three pages, none wider than the screen', async () => {
    const t = await demo.open('index.html', { viewport: { width: 390, height: 844 } });
    const { page } = t;
    const names = await page.locator('main a h2').allInnerTexts();
    expect(names).toEqual(['XOR stepper', 'Playground', 'MNIST lab']);
    for (const [link, url] of [['XOR stepper', /xor\.html/], ['Playground', /playground\.html/], ['MNIST lab', /mnist\.html/]] as const) {
      await page.locator('nav a', { hasText: link }).focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(url);
      await expect.poll(() => page.locator('#adapter').getAttribute('data-gpu'), { timeout: 20_000 }).not.toBeNull();
      expect(await page.evaluate(() => document.documentElement.scrollWidth), link).toBeLessThanOrEqual(390);
    }
    // the lab's form is reachable by keyboard: Tab lands on its controls
    await page.locator('select[name=backend]').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('layers');
    await page.goto(demo.base + 'playground.html');
    await idle(page);
    await finish(demo, t, 'playground-phone');
  }, 120_000);

  it('verify this GPU: the quick run in the page passes every kernel group on the browser adapter, and names it', async () => {
    // every page's adapter line links to the panel
    const x = await demo.open('xor.html');
    await expect.poll(() => x.page.locator('#adapter').getAttribute('data-gpu'), { timeout: 20_000 }).toBe('true');
    expect(await x.page.locator('#adapter a', { hasText: 'verify this GPU' }).getAttribute('href')).toBe('./index.html#verify');
    await x.page.context().close();

    const t = await demo.open('index.html#verify');
    const { page } = t;
    await expect.poll(() => page.locator('#adapter').getAttribute('data-gpu'), { timeout: 20_000 }).toBe('true');
    const run = page.getByRole('button', { name: 'Verify this GPU' });
    await expect.poll(() => run.isEnabled()).toBe(true);
    expect(await page.locator('input[name=verify-depth][value=quick]').isChecked()).toBe(true);
    // by keyboard: focus the button, press Enter
    await run.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#verify-rows tr').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    // the quick plan takes about half a minute on SwiftShader; generous for a loaded machine
    await page.waitForSelector('#verify-result[data-verify-report]', { state: 'attached', timeout: 240_000 });
    const report = JSON.parse((await page.locator('#verify-result').getAttribute('data-verify-report'))!) as VerifyReport;
    expect(report.groups.filter((g) => !g.pass).map((g) => `${g.group}: ${g.detail}`)).toEqual([]);
    expect(report.passed).toBe(true);
    expectEveryGroup(report, { plain: true });
    // the quick plan's shapes, and an error under tolerance in each group
    expect(report.groups[0].shapes).toEqual(QUICK_MATMUL_SHAPES.map((s) => s.join('×')));
    for (const g of report.groups) expect(g.maxError, g.group).toBeLessThanOrEqual(g.tolerance);
    // the table shows every group, and the adapter is named (Chromium's SwiftShader here)
    expect(await page.locator('#verify-rows tr.pass').count()).toBe(report.groups.length);
    expect(await page.locator('#verify-rows tr.fail').count()).toBe(0);
    expect(report.adapter.vendor || report.adapter.architecture).toBeTruthy();
    expect(`${report.adapter.vendor} ${report.adapter.architecture} ${report.adapter.description}`).toMatch(/swiftshader/i);
    const shown = await page.locator('#verify-adapter').innerText();
    expect(shown).toContain(report.adapter.vendor);
    expect(shown).toContain('driver');
    expect(await page.locator('#verify-summary').innerText()).toMatch(new RegExp(`^All ${report.groups.length} kernel groups pass`));
    console.log(`demo-browser: verify (quick) in the page: ${report.groups.length} groups pass in ${report.seconds.toFixed(1)} s on ${report.adapter.vendor} ${report.adapter.architecture}`);
    await page.locator('#verify').screenshot({ path: join(demo.shots, 'verify-panel.png') });
    // at phone width the page stays within the screen (the table scrolls inside its card)
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.locator('#verify').screenshot({ path: join(demo.shots, 'verify-phone.png') });
    await page.setViewportSize({ width: 1360, height: 900 });
    await finish(demo, t, 'verify');

    // without navigator.gpu the panel says so and offers nothing to run
    const n = await demo.open('index.html', { withoutWebGpu: true });
    await expect.poll(() => n.page.locator('#adapter').getAttribute('data-gpu'), { timeout: 20_000 }).toBe('false');
    await expect.poll(() => n.page.locator('#verify-status').innerText()).toMatch(/no WebGPU adapter/);
    expect(await n.page.locator('#verify-run').isVisible()).toBe(false);
    await finish(demo, n, 'verify-without-webgpu');
  }, 300_000);

  it('without navigator.gpu: a visible notice, webgpu not offered, and the CPU path works', async () => {
    const t = await demo.open('xor.html?backend=webgpu', { withoutWebGpu: true });
    const { page } = t;
    const adapter = page.locator('#adapter');
    await expect.poll(() => adapter.getAttribute('data-gpu'), { timeout: 20_000 }).toBe('false');
    expect(await adapter.innerText()).toMatch(/^no WebGPU: CPU backend \(this browser has no navigator\.gpu/);
    expect(await adapter.getAttribute('class')).toContain('notice');
    expect(await page.locator('#backend option[value=webgpu]').isDisabled()).toBe(true);
    await idle(page);
    expect(await page.locator('#backend').inputValue()).toBe('cpu');
    for (let k = 0; k < 4; k++) await page.getByRole('button', { name: /^Step/ }).first().click();
    await expect.poll(async () => JSON.parse((await page.locator('[data-xor-trace]').getAttribute('data-xor-trace')) ?? '[]').length, { timeout: 30_000 }).toBe(4);
    expectClose(JSON.parse((await page.locator('[data-xor-trace]').getAttribute('data-xor-trace'))!), await cliTrace('cpu'), 1e-6);
    await finish(demo, t, 'xor-without-webgpu');
  }, 120_000);
});
