#!/usr/bin/env node
// The `deltagpu` command: runs the built CLI (dist/, written by `npm run build`; `npm install` builds it).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error("deltagpu: the built CLI (dist/cli/main.js) is missing; run 'npm run build' in the package folder.");
  process.exit(1);
}
const cli = await import(main.href);
process.exitCode = await cli.main(process.argv.slice(2));
