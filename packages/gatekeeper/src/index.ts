export { toManifestYaml as toYaml } from '@palisade/yaml';
export {
  buildGatekeeper,
  buildGatekeeperOutput,
  type GatekeeperInput,
  type GatekeeperOptions,
  type GatekeeperOutput,
  gatekeeperTarget,
} from './build.js';
export { buildConstraint, ENFORCEMENT_ACTIONS, matchKinds } from './constraint.js';
export {
  type CelCompiler,
  type CodeEntry,
  celCode,
  codeEntries,
  ENGINES,
  type Engine,
  regoCode,
} from './engines.js';
export { type ConstraintExceptions, constraintExceptions, isGatekeeperWildcard } from './exceptions.js';
export {
  ADMISSION_TARGET,
  CONSTRAINT_API_VERSION,
  constraintName,
  EXEMPT_IMAGES_PARAM,
  SUITE_API_VERSION,
  TEMPLATE_API_VERSION,
  templateKind,
  templateName,
} from './names.js';
export { kustomization, PROFILES, profilePolicyIds } from './profiles.js';
export { type OpenApiSchema, parametersSchema } from './schema.js';
export { buildSuite, messagePattern, regexLiteral } from './suite.js';
export { buildTemplate } from './template.js';
