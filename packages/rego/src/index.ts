export {
  compilePolicyRego,
  compileRego,
  packageNameFor,
  type RegoModule,
  type RegoOptions,
} from './compile.js';
export { LIB_PACKAGE, LIB_SOURCE } from './lib.js';
