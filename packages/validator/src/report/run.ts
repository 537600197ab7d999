import type { Policy } from '@palisade/core';
import type { Path } from '../compile.js';
import type { PolicyResult, ResultStatus, Validator } from '../engine.js';
import type { InputError, LoadedManifests, ManifestResource } from '../manifest-resources.js';

/**
 * The result of a validation run, as every report format reads it: each resource with its policy results (violations
 * located to source lines), the input errors, and metadata about the run.
 */

export interface LocatedViolation {
  message: string;
  /** JSON path of the offending field from the resource root. */
  path: Path;
  /**
   * Line of the field in the source, or of its nearest ancestor present there; undefined for a resource read from a
   * cluster, which has no source lines.
   */
  line: number | undefined;
}

export interface CheckedResult {
  policy: Policy;
  /** The upstream Pod Security check reproduced, for PSS policies. */
  pssCheck: string | undefined;
  status: ResultStatus;
  message: string;
  violations: LocatedViolation[];
  /** The name of the exception that exempted the resource. */
  exception: string | undefined;
}

interface CheckedResourceBase {
  apiVersion: string;
  kind: string;
  name: string | undefined;
  namespace: string | undefined;
  /** One per policy that applies to the resource, in policy order. */
  results: CheckedResult[];
}

/** A resource read from a manifest file: reports locate it by file and line. */
export interface FileResource extends CheckedResourceBase {
  source?: 'file';
  file: string;
  document: number;
  line: number;
}

/** A resource read from a live cluster (`palisade audit`): reports identify it by namespace, name and uid. */
export interface ClusterResource extends CheckedResourceBase {
  source: 'cluster';
  uid: string;
  resourceVersion: string | undefined;
}

export type CheckedResource = FileResource | ClusterResource;

export interface RunMetadata {
  tool: { name: string; version: string; informationUri?: string };
  /** When the run happened (PolicyReport timestamps). */
  timestamp: Date;
  /** The policies evaluated, in order (SARIF rules, JUnit suites). */
  policies: readonly Policy[];
  /** The API server a `palisade audit` read its resources from; absent for manifests. */
  cluster?: string;
}

export interface ValidationRun {
  metadata: RunMetadata;
  resources: CheckedResource[];
  errors: InputError[];
}

export type ResultSummary = Record<ResultStatus, number>;

const LOCATED_STATUSES: ReadonlySet<ResultStatus> = new Set(['fail', 'warn', 'error']);

function metadataString(object: Record<string, unknown>, key: string): string | undefined {
  const metadata = object.metadata;
  if (metadata === null || typeof metadata !== 'object') return undefined;
  const value = (metadata as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Pairs a resource with its validator results. Source lines are looked up only for results that report
 * violations (fail, warn, error), so passing resources cost no line lookups.
 */
export function checkResource(resource: ManifestResource, results: readonly PolicyResult[]): FileResource {
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    name: metadataString(resource.object, 'name'),
    namespace: metadataString(resource.object, 'namespace'),
    file: resource.file,
    document: resource.document,
    line: resource.line,
    results: results.map((result) => ({
      policy: result.policy,
      pssCheck: result.pssCheck,
      status: result.status,
      message: result.message,
      violations: LOCATED_STATUSES.has(result.status)
        ? result.violations.map((v) => ({ message: v.message, path: v.path, line: resource.lineOf(v.path) }))
        : [],
      exception: result.exception?.name,
    })),
  };
}

/**
 * Pairs an object read from the API server with its validator results. It has no source lines, so violations carry
 * none; its uid (and resourceVersion) say which object it was.
 */
export function checkClusterResource(
  object: Record<string, unknown>,
  results: readonly PolicyResult[],
): ClusterResource {
  return {
    source: 'cluster',
    apiVersion: typeof object.apiVersion === 'string' ? object.apiVersion : '',
    kind: typeof object.kind === 'string' ? object.kind : '',
    name: metadataString(object, 'name'),
    namespace: metadataString(object, 'namespace'),
    uid: metadataString(object, 'uid') ?? '',
    resourceVersion: metadataString(object, 'resourceVersion'),
    results: results.map((result) =>
      result.status === 'pass' && result.exception === undefined
        ? sharedPass(result)
        : {
            policy: result.policy,
            pssCheck: result.pssCheck,
            status: result.status,
            message: result.message,
            violations: LOCATED_STATUSES.has(result.status)
              ? result.violations.map((v) => ({ message: v.message, path: v.path, line: undefined }))
              : [],
            exception: result.exception?.name,
          },
    ),
  };
}

/**
 * A pass without an exception says nothing about its object: one frozen result per policy, check and message is
 * shared by every object that passes. An audit keeps every result of a cluster, nearly all of them passes (675,000
 * results at 50,000 objects of the bench), and a shared one costs a reference instead of two allocations.
 */
const SHARED_PASSES = new WeakMap<Policy, Map<string, CheckedResult>>();

function sharedPass(result: PolicyResult): CheckedResult {
  let byKey = SHARED_PASSES.get(result.policy);
  if (byKey === undefined) {
    byKey = new Map();
    SHARED_PASSES.set(result.policy, byKey);
  }
  const key = `${result.pssCheck ?? ''}\u0000${result.message}`;
  let shared = byKey.get(key);
  if (shared === undefined) {
    shared = Object.freeze({
      policy: result.policy,
      pssCheck: result.pssCheck,
      status: 'pass',
      message: result.message,
      violations: Object.freeze([]) as unknown as LocatedViolation[],
      exception: undefined,
    });
    byKey.set(key, shared);
  }
  return shared;
}

/**
 * Checks loaded manifests and assembles the run every report format reads. A resource the validator cannot check
 * becomes an input error, like any other bad input.
 */
export function validateManifests(
  validator: Validator,
  manifests: LoadedManifests,
  metadata: Omit<RunMetadata, 'policies'>,
): ValidationRun {
  const resources: CheckedResource[] = [];
  const errors = [...manifests.errors];
  for (const resource of manifests.resources) {
    try {
      resources.push(checkResource(resource, validator.validate(resource.object)));
    } catch (error) {
      errors.push(uncheckable(resource, error));
    }
  }
  return { metadata: { ...metadata, policies: validator.policies }, resources, errors };
}

/** The input error for a resource whose check threw. */
export function uncheckable(resource: ManifestResource, error: unknown): InputError {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    file: resource.file,
    document: resource.document,
    line: resource.line,
    message: `cannot check: ${reason}`,
  };
}

export function emptySummary(): ResultSummary {
  return { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
}

/** Result counts by status over resources. */
export function summarize(resources: readonly CheckedResource[]): ResultSummary {
  const summary = emptySummary();
  for (const resource of resources) for (const result of resource.results) summary[result.status]++;
  return summary;
}

/**
 * The counts of a whole run, as the machine-readable reports give them: `error` counts results with status
 * `error` and input errors alike, so a consumer that gates on `error` (as on a PolicyReport's summary) never misses
 * an input that was not checked; `inputErrors` says how many of them are input errors.
 */
export interface RunSummary extends ResultSummary {
  inputErrors: number;
}

export function summarizeRun(run: ValidationRun): RunSummary {
  const summary = summarize(run.resources);
  return { ...summary, error: summary.error + run.errors.length, inputErrors: run.errors.length };
}

/** `Kind namespace/name`, `Kind name` for resources without a namespace. */
export function describeResource(resource: CheckedResource): string {
  const name = resource.name ?? '<unnamed>';
  return `${resource.kind} ${resource.namespace === undefined ? name : `${resource.namespace}/${name}`}`;
}

/**
 * `file:line:column` (as far as known), with the document index when there is one; for a cluster input, the
 * collection that could not be listed (`list /apis/apps/v1/deployments`).
 */
export function describeInputError(error: InputError): string {
  if (error.source === 'cluster') return `list ${error.file}`;
  let where = error.file;
  if (error.line !== undefined) {
    where += `:${error.line}`;
    if (error.column !== undefined) where += `:${error.column}`;
  }
  return error.document === undefined ? where : `${where} (document ${error.document})`;
}

/** A violation path as text: `spec.containers[0].securityContext`. Keys that are not identifiers are quoted. */
export function formatPath(path: Path): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}
