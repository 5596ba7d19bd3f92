// The CLI from source, for tests that need a child process (bin/deltagpu.js runs the built dist/).
import { main } from '../../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
