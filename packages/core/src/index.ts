export * from './builder.js';
export { configSchema, defineConfig, type PalisadeConfig, resolveConfig } from './config.js';
export {
  type CompilablePolicy,
  type ConfiguredBuild,
  type EffectivePolicy,
  effectivePolicy,
  InvalidParametersError,
  isEffectivePolicy,
  parsePolicyParams,
  profileIdsOf,
  type ResolutionContext,
  resolveTargetPolicies,
  targetInputOf,
} from './effective.js';
export {
  EXCEPTION_API_VERSION,
  exceptionCoversPolicy,
  exceptionDocumentSchema,
  exceptionFromDocument,
  exceptionMatchesResource,
  exceptionResourceName,
  exceptionSchema,
  isExpired,
  isKubernetesName,
  type PolicyException,
} from './exceptions.js';
export { expiryInstant, expiryTimestamp, type ParsedExpiry, parseExpiry } from './expiry.js';
export { globMatch } from './glob.js';
export type {
  Binding,
  BuiltinVar,
  Check,
  Collection,
  Cond,
  ContainerList,
  Json,
  Loop,
  Message,
  Rule,
  Value,
} from './ir.js';
export {
  bindingSchema,
  checkSchema,
  collectionSchema,
  condSchema,
  messageSchema,
  ruleSchema,
  valueSchema,
} from './ir-schema.js';
export {
  isPodKind,
  KIND_API_GROUPS,
  POD_CONTROLLER_KINDS,
  POD_TEMPLATE_PATHS,
  type PodKind,
  podOf,
  type ResourceRule,
  resourceOf,
  resourceRules,
} from './kinds.js';
export {
  appliesAsPod,
  type LabelSelector,
  labelSelectorSchema,
  type Match,
  type MatchInput,
  matchedKinds,
  matchesResource,
  matchSchema,
  type ResourceIdentity,
  selectorMatches,
} from './match.js';
export {
  defineCataloguePolicy,
  definePolicy,
  type Enforcement,
  enforcementSchema,
  type ParamRefs,
  type Policy,
  type PolicyInput,
  type PssControl,
  type PssLevel,
  type PssRevision,
  paramNames,
  parseOrThrow,
  policyToJSON,
  type Severity,
  type Standard,
  severitySchema,
} from './policy.js';
export {
  type PolicyConfig,
  profilePolicyIds,
  profileProblems,
  pssLevelOf,
  type ResolvedPolicy,
  resolvePolicy,
  resolveProfile,
  type Selection,
  selectPolicies,
} from './profiles.js';
export { formatPssVersion, LATEST_PSS_VERSION, type PssVersion, parsePssVersion } from './pss-version.js';
export {
  deniesVerdict,
  type Oracle,
  type Target,
  type TargetFixture,
  type TargetInput,
  type TargetOutput,
  type Verdict,
} from './target.js';
