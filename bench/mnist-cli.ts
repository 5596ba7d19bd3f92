/** The deltagpu CLI from source, for bench/mnist.ts's child processes (bin/deltagpu.js needs a build). */
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
