/**
 * `npm run readme:start`: runs `npm start` as a user would (it builds first), saves everything it printed
 * (stdout and stderr in order, as a log sees them) to bench/npm-start.txt, copies the loss/accuracy plot it
 * wrote to bench/npm-start.svg, and rewrites the README's npm-start block from the saved text
 * (bench/npm-start-block.ts). Run it on a quiet machine; the figures are whatever this run printed.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeBlock, replaceBlock } from './npm-start-block.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// one pipe for both streams keeps their order; npm's own banner lines ('> deltagpu@… start') are dropped
const run = spawnSync('sh', ['-c', 'npm start 2>&1'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, FORCE_COLOR: '0' } });
if (run.status !== 0) {
  process.stderr.write(run.stdout ?? '');
  throw new Error(`npm start failed (exit ${run.status})`);
}
const text = run.stdout.split('\n').filter((l) => !/^> /.test(l)).join('\n').replace(/^\n+/, '').trimEnd() + '\n';
writeFileSync(join(root, 'bench', 'npm-start.txt'), text);
copyFileSync(join(root, 'models', 'mnist.svg'), join(root, 'bench', 'npm-start.svg'));
const date = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
const readmePath = join(root, 'README.md');
writeFileSync(readmePath, replaceBlock(readFileSync(readmePath, 'utf8'), readmeBlock(text, date)));
process.stdout.write(text);
process.stderr.write('\nwrote bench/npm-start.txt, bench/npm-start.svg and the README block\n');
