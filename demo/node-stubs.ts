/**
 * Browser stand-ins for the Node built-ins that src/data/mnist.ts and src/data/png.ts import at the top of
 * their files (see vite.config.ts). The demo only calls their pure functions (splitDigits, toMnistInput);
 * anything that reaches one of these says so instead of failing obscurely.
 */
function unavailable(name: string): never {
  throw new Error(`${name} is not available in the browser (deltagpu demo)`);
}

export const readFile = (): never => unavailable('fs.readFile');
export const readFileSync = (): never => unavailable('fs.readFileSync');
export const createRequire = (): never => unavailable('module.createRequire');
export const dirname = (): never => unavailable('path.dirname');
export const join = (): never => unavailable('path.join');
export const deflateSync = (): never => unavailable('zlib.deflateSync');
export const inflateSync = (): never => unavailable('zlib.inflateSync');
export default {};
