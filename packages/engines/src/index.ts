export {
  type EngineLocation,
  enginePath,
  enginesDir,
  locateEngine,
  moduleHash,
  readPins,
  TOOLS,
  type Tool,
  type ToolPin,
} from './cache.js';
export { pinnedModuleDir } from './go-modules.js';
export { ENGINE_TEST_TIMEOUT_MS, engineTestTimeoutMs } from './hang-guard.js';
export {
  type OracleCheck,
  type OracleLevelResult,
  type OracleResult,
  type PsaLevel,
  type PsaOracleOptions,
  type PsaVersion,
  runPsaOracle,
} from './oracle.js';
export { type PalisadePssPolicyId, PSA_CHECK_TO_POLICY, type PsaCheckId } from './psa-map.js';
