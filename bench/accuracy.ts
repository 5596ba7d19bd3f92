/**
 * Accuracy suite: the default `npm start` run (`deltagpu train mnist`: 784-128-10, ReLU, softmax +
 * cross-entropy, momentum lr 0.05, batch 32, 10 epochs, seed 1, 8,000/2,000 embedded digits) on each
 * deltagpu backend, through the CLI's own `main()` so it is exactly what a user gets. Issue 4 asks for
 * ≥ 95% test accuracy on both backends; `--quick` runs a shortened version and only reports.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.ts';

export type DeltaBackend = 'cpu' | 'webgpu';

export interface AccuracyOptions {
  backends: DeltaBackend[];
  /** shortened run: 2 epochs on 2,000/500 digits (no threshold) */
  quick?: boolean;
  log?: (s: string) => void;
}

export interface AccuracyResult {
  backend: DeltaBackend;
  adapter: string;
  args: string[];
  epochs: number;
  trainImages: number;
  testImages: number;
  /** per epoch, on the test split */
  testAccuracy: number[];
  testLoss: number[];
  trainAccuracy: number[];
  trainLoss: number[];
  finalTestAccuracy: number;
  finalTestLoss: number;
  /** wall time of the whole CLI run (data, training, evaluation, saving) */
  seconds: number;
  /** mean of the per-epoch training samples/s the CLI reports */
  samplesPerSecond: number;
  /** the issue-4 target (0.95) for the full default run; null for --quick */
  threshold: number | null;
  passed: boolean | null;
}

export const ACCURACY_THRESHOLD = 0.95;

interface CliSummary {
  testAccuracy: number;
  testLoss: number;
  history: { loss: number[]; accuracy: number[]; testLoss?: number[]; testAccuracy?: number[] };
  epochs: number;
  backend: string;
  adapter: string;
  samplesPerSecond: number;
  seconds: number;
}

export async function runAccuracyBench(options: AccuracyOptions): Promise<AccuracyResult[]> {
  const log = options.log ?? ((s: string) => console.error(s));
  const results: AccuracyResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'deltagpu-bench-acc-'));
  try {
    for (const backend of options.backends) {
      const out = join(dir, `mnist-${backend}.safetensors`);
      const shortened = options.quick ? ['--epochs', '2', '--train', '2000', '--test', '500'] : [];
      const args = ['train', 'mnist', '--json', '--quiet', '--backend', backend, '--out', out, ...shortened];
      const shown = args.filter((a) => a !== out && a !== '--out');
      log(`accuracy: deltagpu ${shown.join(' ')} …`);
      const lines: string[] = [];
      const t0 = performance.now();
      const rc = await main(args, (s) => lines.push(s));
      const wall = (performance.now() - t0) / 1000;
      if (rc !== 0) throw new Error(`accuracy: 'deltagpu ${args.join(' ')}' exited with ${rc} on backend ${backend} (its error is printed above)`);
      const last = lines[lines.length - 1];
      let s: CliSummary;
      try {
        s = JSON.parse(last) as CliSummary;
      } catch {
        throw new Error(`accuracy: backend ${backend}: the CLI's last line is not its JSON summary: ${String(last).slice(0, 200)}`);
      }
      if (s.backend !== backend) throw new Error(`accuracy: asked for backend ${backend}, the CLI ran on ${s.backend}`);
      const testAcc = s.history.testAccuracy ?? [];
      if (!Number.isFinite(s.testAccuracy) || testAcc.length !== s.epochs || testAcc.some((a) => !Number.isFinite(a))) {
        throw new Error(`accuracy: backend ${backend} produced a non-finite or incomplete accuracy history: ${JSON.stringify(s.history)}`);
      }
      const threshold = options.quick ? null : ACCURACY_THRESHOLD;
      const r: AccuracyResult = {
        backend,
        adapter: s.adapter,
        args: shown,
        epochs: s.epochs,
        trainImages: options.quick ? 2000 : 8000,
        testImages: options.quick ? 500 : 2000,
        testAccuracy: testAcc,
        testLoss: s.history.testLoss ?? [],
        trainAccuracy: s.history.accuracy,
        trainLoss: s.history.loss,
        finalTestAccuracy: s.testAccuracy,
        finalTestLoss: s.testLoss,
        seconds: wall,
        samplesPerSecond: s.samplesPerSecond,
        threshold,
        passed: threshold === null ? null : s.testAccuracy >= threshold,
      };
      log(
        `accuracy: ${backend}: test accuracy ${(r.finalTestAccuracy * 100).toFixed(2)}% after ${r.epochs} epochs ` +
          `(${wall.toFixed(1)} s, ${r.samplesPerSecond.toFixed(0)} samples/s)` +
          (threshold === null ? '' : r.passed ? ` ≥ ${threshold * 100}%: pass` : ` < ${threshold * 100}%: FAIL`),
      );
      results.push(r);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

export function accuracyMarkdown(results: AccuracyResult[]): string {
  if (results.length === 0) return '';
  const pct = (v: number | undefined) => (v === undefined ? '–' : `${(v * 100).toFixed(2)}%`);
  const epochs = Math.max(...results.map((r) => r.epochs));
  const lines = [
    `${results[0].threshold === null ? 'Shortened (--quick) run' : 'Default run'} \`deltagpu ${results[0].args.filter((a) => a !== '--backend' && a !== results[0].backend).join(' ')} --backend B\`` +
      ` (${results[0].trainImages.toLocaleString('en-US')} train / ${results[0].testImages.toLocaleString('en-US')} test digits):`,
    '',
    '| backend | final test accuracy | test loss | target | wall time | train samples/s |',
    '|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.backend} (${r.adapter}) | **${pct(r.finalTestAccuracy)}** | ${r.finalTestLoss.toFixed(4)} | ` +
        `${r.threshold === null ? 'n/a (quick)' : `≥ ${r.threshold * 100}%: ${r.passed ? 'pass' : '**FAIL**'}`} | ` +
        `${r.seconds.toFixed(1)} s | ${r.samplesPerSecond.toFixed(0)} |`,
    ),
    '',
    'Test accuracy per epoch:',
    '',
    `| backend | ${Array.from({ length: epochs }, (_, i) => `${i + 1}`).join(' | ')} |`,
    `|---|${'---|'.repeat(epochs)}`,
    ...results.map((r) => `| ${r.backend} | ${Array.from({ length: epochs }, (_, i) => pct(r.testAccuracy[i])).join(' | ')} |`),
  ];
  return lines.join('\n');
}
