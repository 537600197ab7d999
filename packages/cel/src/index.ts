export {
  type CelOptions,
  type CelValidation,
  type CelVariable,
  type CompiledCel,
  compileCel,
} from './compile.js';
export { formatCel } from './format.js';
export { celGlobRegex, globsToRe2 } from './glob.js';
export { celLiteral, celNumber, celString } from './literal.js';
export {
  exceptionResourceTest,
  exemptEntryMatches,
  globTest,
  kindTest,
  labelsOf,
  metadataOf,
  selectorTest,
} from './match.js';
