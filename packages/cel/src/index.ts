export {
  type CelOptions,
  type CelValidation,
  type CelVariable,
  type CompiledCel,
  compileCel,
} from './compile.js';
export { formatCel } from './format.js';
export { celGlobRegex, globsToRe2 } from './glob.js';
export {
  ANNOTATIONS_BYTES,
  CEL_EXPRESSION_CODE_POINTS,
  celExpressionsOf,
  checkCelDocumentLimits,
  codePoints,
  NAME_CHARACTERS,
  OBJECT_BYTES,
  overLimit,
  readableCel,
  TargetLimitError,
  utf8Bytes,
} from './limits.js';
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
export { paramVariables } from './params.js';
