export {
  type AuditedCollection,
  type AuditOptions,
  type AuditProgress,
  auditCluster,
  auditCollection,
  type CheckedCollection,
  type ClusterAudit,
  type ClusterRun,
  checkObject,
  collectionsOf,
  listError,
} from './audit.js';
export {
  KubeApiError,
  KubeClient,
  type KubeClientOptions,
  KubeConfigError,
  type KubeRequest,
  type KubeWatchRequest,
  type WatchEvent,
} from './client.js';
export {
  type AuditedKind,
  apiVersionOf,
  collectionPath,
  type DiscoveredKinds,
  discoverKinds,
} from './discovery.js';
export { clusterObject, DEFAULT_PAGE_SIZE, type ListOptions, listCollection } from './list.js';
export {
  type AuditManifestOptions,
  auditedKinds,
  auditRbacRules,
  auditTarget,
  buildAuditManifests,
  DEFAULT_AUDIT_NAMESPACE,
  type PolicyRule,
  READ_VERBS,
  REPORT_VERBS,
  UnknownKindError,
} from './manifests.js';
export {
  DEFAULT_FIELD_MANAGER,
  DEFAULT_MAX_REPORT_BYTES,
  DEFAULT_REPORT_CONCURRENCY,
  type ReportApi,
  type ReportClient,
  ReportCrdMissingError,
  type ReportResults,
  ReportWriteError,
  type WriteReportsOptions,
  type WriteReportsResult,
  writeReports,
} from './reports.js';
export { type WatchOptions, type WatchWrite, watchCluster } from './watch.js';
