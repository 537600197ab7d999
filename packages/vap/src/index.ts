export { exceptionNotes, policyExceptions, type VapExceptions } from './exceptions.js';
export { checkVapLimits, MATCH_CONDITIONS } from './limits.js';
export { KUBERNETES_VERSION, TESTED_KUBERNETES_VERSION, VAP_API_VERSION } from './metadata.js';
export { buildVap, buildVapOutput, type VapOutputInput, vapObjects, vapTarget } from './output.js';
export {
  MESSAGE_CUT_CODE_POINTS,
  MESSAGE_EXPRESSION_BYTES,
  VALIDATION_ACTIONS,
  type VapDocuments,
  vapDocuments,
} from './policy.js';
