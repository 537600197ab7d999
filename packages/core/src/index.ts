export * from './builder.js';
export type { Binding, BuiltinVar, Check, Collection, ContainerList, Cond, Json, Loop, Message, Rule, Value } from './ir.js';
export { bindingSchema, checkSchema, collectionSchema, condSchema, messageSchema, ruleSchema, valueSchema } from './ir-schema.js';
export {
  definePolicy,
  enforcementSchema,
  paramNames,
  parseOrThrow,
  policyToJSON,
  severitySchema,
  type Enforcement,
  type ParamRefs,
  type Policy,
  type PolicyInput,
  type PssControl,
  type PssLevel,
  type PssRevision,
  type Severity,
  type Standard,
} from './policy.js';
export {
  appliesAsPod,
  labelSelectorSchema,
  matchedKinds,
  matchesResource,
  matchSchema,
  selectorMatches,
  type LabelSelector,
  type Match,
  type MatchInput,
  type ResourceIdentity,
} from './match.js';
export { isPodKind, KIND_API_GROUPS, POD_CONTROLLER_KINDS, POD_TEMPLATE_PATHS, podOf, type PodKind } from './kinds.js';
export { globMatch, globToRegExp } from './glob.js';
export { formatPssVersion, LATEST_PSS_VERSION, parsePssVersion, type PssVersion } from './pss-version.js';
export {
  type PolicyConfig,
  pssLevelOf,
  resolvePolicy,
  resolveProfile,
  type ResolvedPolicy,
  type Selection,
  selectPolicies,
} from './profiles.js';
export {
  EXCEPTION_API_VERSION,
  exceptionCoversPolicy,
  exceptionDocumentSchema,
  exceptionFromDocument,
  exceptionMatchesResource,
  exceptionSchema,
  isExpired,
  type PolicyException,
} from './exceptions.js';
