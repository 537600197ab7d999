export {
  CONTROLLER_KINDS,
  type Fixture,
  loadFixtureParams,
  loadFixtures,
  wrapPodInController,
} from '../fixtures.js';
export { createStrict, droppedPaths, manifests, type StrictAcceptance } from './api-server.js';
export {
  type CatalogueRule,
  catalogueConfigs,
  catalogueFixtures,
  catalogueRules,
  differentialConfigs,
  POLICIES_DIR,
  PROC_MOUNT_PROFILE_NOTE,
  paramsFor,
  REQUIRED_PARAMS,
  restrictedAndHardening,
  writeFiles,
} from './catalogue.js';
export { type CorpusObject, fixtureCorpus, generatedCorpus, policiesDir } from './corpus.js';
export { describeFixtures } from './describe-fixtures.js';
export { EXCEPTION_FORMS, variedForExceptions } from './exception-forms.js';
export {
  HOSTILE_EXCEPTION,
  HOSTILE_PARAMS,
  HOSTILE_RESOURCE_EXCEPTION,
  HOSTILE_STRINGS,
  hostileObjects,
  hostileStrings,
  KYVERNO_SYNTAX,
} from './hostile.js';
export { CEL_EDGE_CASES } from './ir-edge-cases.js';
export {
  type Exclusion,
  type Expected,
  messageParts,
  type ReferenceRun,
  referenceResults,
  sortKeys,
  type Walk,
  walkRule,
} from './ir-reference.js';
export {
  type Manifest,
  WRITER_STYLES,
  type WriterStyle,
  writeCorpus,
  writerDeployments,
  writerFileName,
  writerFormat,
  writtenDocuments,
  writtenManifests,
} from './manifest-writers.js';
export { pool } from './pool.js';
export {
  type IrCase,
  irCaseArbitrary,
  irExceptions,
  irPolicyConfig,
  jsonArbitrary,
  paramsArbitrary,
  RANDOM_IR_MATCH,
  RESOURCE_KINDS,
  type RuleOptions,
  resourceArbitrary,
  ruleArbitrary,
  sampleIrCases,
} from './random-ir.js';
export { installReportCrds, reportCrds } from './report-crds.js';
export { type TargetInputRequest, targetInput } from './target-input.js';
export { clusterCorpus, type Workload, workloadCorpus, yamlStream } from './workloads.js';
export { seededRandom } from './writer-deployments.js';
