/**
 * Child process for test/data-idx-rss.test.ts: runs `deltagpu train mnist --data DIR` (the CLI's main(),
 * in-process, CPU backend, one short epoch) and prints its own peak RSS (VmHWM from /proc/self/status) in
 * bytes as the last line, so the parent compares runs on data sets of different sizes.
 */
import { readFileSync } from 'node:fs';
import { main } from '../../src/cli/main.ts';

const [dir, out] = process.argv.slice(2);
const code = await main(['train', 'mnist', '--data', dir, '--backend', 'cpu', '--layers', '16', '--epochs', '1', '--batch-size', '256', '--quiet', '--out', out], (s) => process.stderr.write(s + '\n'));
if (code !== 0) {
  process.stderr.write(`train exited ${code}\n`);
  process.exit(1);
}
const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
process.stdout.write(`${kb * 1024}\n`);
process.exit(0);
