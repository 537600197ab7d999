export { toManifestYaml, toManifestYamlStream } from '@palisade/yaml';
export {
  compareStrings,
  compileCond,
  compileRule,
  compileValue,
  describeFound,
  describeTypes,
  type Env,
  FieldExpectations,
  formatValue,
  JSON_TYPE,
  type JsonTypeName,
  jsonTypeName,
  type Path,
  readPath,
  TypeMismatchError,
  type Violation,
} from './compile.js';
export {
  InvalidParametersError,
  identityOf,
  identityProblems,
  type PolicyConfig,
  type PolicyResult,
  podBinding,
  type ResultStatus,
  Validator,
  type ValidatorOptions,
} from './engine.js';
export {
  DEFAULT_MAX_FILE_SIZE,
  findManifestFiles,
  iterateManifestFile,
  type LoadOptions,
  loadManifestFile,
  loadManifests,
  type ManifestFiles,
  STDIN_NAME,
  STDIN_PATH,
} from './input-files.js';
export type {
  InputError,
  LoadedManifests,
  ManifestEntry,
  ManifestResource,
} from './manifest-resources.js';
export { validatorOracle, withVerdicts } from './oracle.js';
export {
  DEFAULT_MAX_ALIAS_COUNT,
  iterateManifests,
  type ManifestFormat,
  type ParseOptions,
  parseManifests,
} from './parse-manifests.js';
export {
  formatReport,
  isReportFormat,
  REPORT_FORMATS,
  type ReportFormat,
  type ReportOptions,
  reportChunks,
} from './report/formats.js';
export {
  buildJsonReport,
  formatJson,
  type JsonReport,
  type JsonResult,
  jsonReportChunks,
} from './report/json.js';
export { escapeXmlAttribute, escapeXmlText, formatJunit, junitReportChunks } from './report/junit.js';
export {
  buildOpenReports,
  formatOpenReports,
  OPEN_REPORTS_API_VERSION,
  type OpenReport,
  openReportChunks,
} from './report/openreports.js';
export {
  type BuildReportsOptions,
  buildPolicyReports,
  formatPolicyReports,
  INPUT_ERROR_POLICY,
  type ObjectReference,
  POLICY_REPORT_API_VERSION,
  type PolicyReport,
  type PolicyReportResult,
  type PolicyReportSeverity,
  policyReportChunks,
  reportName,
} from './report/policyreport.js';
export {
  type CheckedResource,
  type CheckedResult,
  type ClusterResource,
  checkClusterResource,
  checkResource,
  describeInputError,
  describeResource,
  emptySummary,
  type FileResource,
  formatPath,
  type LocatedViolation,
  type ResultSummary,
  type RunMetadata,
  type RunSummary,
  summarize,
  summarizeRun,
  uncheckable,
  type ValidationRun,
  validateManifests,
} from './report/run.js';
export { artifactUri, buildSarifLog, formatSarif, SARIF_SCHEMA, sarifLogChunks } from './report/sarif.js';
export { formatText, printable, type TextReportOptions, textReportChunks } from './report/text.js';
export { type DecodedText, decodeManifestBytes, type TextEncoding } from './text-decoding.js';
