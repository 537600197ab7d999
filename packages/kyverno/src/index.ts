export { asKyvernoCliLoads } from './cli-input.js';
export { CLUSTER_POLICY_API_VERSION, clusterPolicy } from './cluster-policy.js';
export {
  buildExceptions,
  CEL_EXCEPTION_API_VERSION,
  CLUSTER_EXCEPTION_API_VERSION,
  type KyvernoExceptions,
} from './exceptions.js';
export { kustomization, type PolicyFolder, profileKustomizations } from './kustomize.js';
export { KUBERNETES_VERSION, KYVERNO_VERSION, type Versions } from './metadata.js';
export { buildKyverno, buildKyvernoOutput, type KyvernoOutputInput, kyvernoTarget } from './output.js';
export type { FixtureInput, PolicyKind } from './test-folder.js';
export { VALIDATING_POLICY_API_VERSION, validatingPolicy } from './validating-policy.js';
