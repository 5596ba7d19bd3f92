// `deltagpu train`: Ctrl-C (SIGINT) in a child process writes a checkpoint and prints how to resume;
// `--resume` finishes the run with weights bit-identical to an uninterrupted run (CPU backend);
// --checkpoint-every/--keep rotate files.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../src/io/model-file.ts';
import { readCheckpoint } from '../src/checkpoint/file.ts';

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-cli-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SMALL = ['--train', '300', '--test', '50', '--layers', '16', '--backend', 'cpu', '--batch-size', '16'];

/** Runs the CLI; `interruptWhen` sends SIGINT once stderr matches it. */
function cli(args: string[], interruptWhen?: RegExp): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['bin/run-ts.js', 'test/helpers/cli-entry.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let sent = false;
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => {
      err += d;
      if (interruptWhen && !sent && interruptWhen.test(err)) {
        sent = true;
        p.kill('SIGINT');
      }
    });
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('deltagpu train: checkpoints, Ctrl-C and --resume', () => {
  it('SIGINT writes a checkpoint and says how to resume; the resumed run ends bit-identical to an uninterrupted one', async () => {
    const cut = await cli(['train', 'mnist', ...SMALL, '--epochs', '500', '--out', join(dir, 'cut.safetensors')], /Epoch\s+2\//);
    expect(cut.code).toBe(130);
    const m = /checkpoint written to (\S+)/.exec(cut.err);
    expect(m, cut.err).not.toBeNull();
    const file = m![1];
    expect(existsSync(file)).toBe(true);
    expect(cut.err).toContain(`resume with: deltagpu train mnist --resume ${file} --out ${join(dir, 'cut.safetensors')}`);
    const ck = readCheckpoint(file);
    expect(ck.epoch).toBeGreaterThanOrEqual(1);
    const epochs = ck.epoch + 3;

    const resumed = await cli(['train', '--resume', file, '--epochs', String(epochs), '--quiet', '--checkpoint-every', '1', '--keep', '2']);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toMatch(new RegExp(`resuming from .*: ${ck.epoch} epoch\\(s\\)`));
    // --checkpoint-every 1 --keep 2: of the three epochs' files it wrote, the newest two remain
    const pad = (e: number) => `cut.ckpt.e${String(e).padStart(4, '0')}.safetensors`;
    const left = readdirSync(dir);
    expect(left).toContain(pad(epochs - 1));
    expect(left).toContain(pad(epochs));
    expect(left).not.toContain(pad(epochs - 2));

    const full = await cli(['train', 'mnist', ...SMALL, '--epochs', String(epochs), '--quiet', '--out', join(dir, 'full.safetensors')]);
    expect(full.code, full.err).toBe(0);
    const [a, b] = [await loadModel(join(dir, 'cut.safetensors'), { backend: 'cpu' }), await loadModel(join(dir, 'full.safetensors'), { backend: 'cpu' })];
    const [wa, wb] = [await a.model.getWeights(), await b.model.getWeights()];
    wa.forEach((p, l) => {
      expect(Buffer.from(p.W.buffer).equals(Buffer.from(wb[l].W.buffer)), `layer ${l} W`).toBe(true);
      expect(Buffer.from(p.b.buffer).equals(Buffer.from(wb[l].b.buffer)), `layer ${l} b`).toBe(true);
    });
  }, 120_000);

  it('--resume refuses options the checkpoint fixes, naming them', async () => {
    const files = readdirSync(dir).filter((f) => f.includes('.ckpt.'));
    const r = await cli(['train', '--resume', join(dir, files[0] ?? 'missing.safetensors'), '--lr', '0.5']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--resume: --lr cannot change on resume/);
    const missing = await cli(['train', '--resume', join(dir, 'nothing.safetensors')]);
    expect(missing.err).toMatch(/cannot read checkpoint .*nothing\.safetensors/);
  }, 60_000);
});
