import type { Path } from '../compile.js';
import type { ResultStatus } from '../engine.js';
import type { InputError } from '../manifest-resources.js';
import { nestedJson } from './nested-json.js';
import {
  type CheckedResource,
  type CheckedResult,
  type RunSummary,
  summarizeRun,
  type ValidationRun,
} from './run.js';

/** The JSON report: a summary, one PolicyReport-shaped result per resource and policy, and the input errors. */

export interface JsonResourceReference {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
  /** For a resource read from a cluster. */
  uid?: string;
}

export interface JsonResult {
  policy: string;
  result: ResultStatus;
  message: string;
  severity: string;
  category: string;
  source: 'palisade';
  resources: JsonResourceReference[];
  /** Absent for a resource read from a cluster (its `resources[0].uid` names it). */
  file?: string;
  /** The first violation's line for a finding, else the line where the resource starts; absent as `file`. */
  line?: number;
  properties?: {
    pssCheck?: string;
    exception?: string;
    /** `line` is absent for a resource read from a cluster. */
    violations?: { message: string; path: Path; line?: number }[];
  };
}

export interface JsonReport {
  /** Counts by status; `error` includes the input errors, `inputErrors` counts them alone (see `RunSummary`). */
  summary: RunSummary;
  results: JsonResult[];
  errors: InputError[];
}

export function resourceReference(resource: CheckedResource): JsonResourceReference {
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    ...(resource.namespace === undefined ? {} : { namespace: resource.namespace }),
    ...(resource.name === undefined ? {} : { name: resource.name }),
    ...(resource.source === 'cluster' ? { uid: resource.uid } : {}),
  };
}

/** The violations as the report lists them: without `line` for a resource that has no source lines. */
function reportedViolations(resource: CheckedResource, result: CheckedResult) {
  return resource.source === 'cluster'
    ? result.violations.map(({ message, path }) => ({ message, path }))
    : result.violations;
}

function jsonResult(resource: CheckedResource, result: CheckedResult): JsonResult {
  const properties: NonNullable<JsonResult['properties']> = {};
  if (result.pssCheck !== undefined) properties.pssCheck = result.pssCheck;
  if (result.exception !== undefined) properties.exception = result.exception;
  if (result.violations.length > 0) properties.violations = reportedViolations(resource, result);
  return {
    policy: result.policy.id,
    result: result.status,
    message: result.message,
    severity: result.policy.severity,
    category: result.policy.category,
    source: 'palisade',
    resources: [resourceReference(resource)],
    ...(resource.source === 'cluster'
      ? {}
      : { file: resource.file, line: result.violations[0]?.line ?? resource.line }),
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
  };
}

export function buildJsonReport(run: ValidationRun): JsonReport {
  return {
    summary: summarizeRun(run),
    results: run.resources.flatMap((resource) =>
      resource.results.map((result) => jsonResult(resource, result)),
    ),
    errors: run.errors,
  };
}

/**
 * What every result of a resource repeats: its reference and file, written once per resource; for a file resource
 * it ends with `"line": `, the line being the result's own.
 */
function resourceFields(resource: CheckedResource): string {
  const reference = nestedJson(resourceReference(resource), '        ');
  const head = `,\n      "source": "palisade",\n      "resources": [\n        ${reference}\n      ]`;
  return resource.source === 'cluster'
    ? head
    : `${head},\n      "file": ${JSON.stringify(resource.file)},\n      "line": `;
}

/** What every result of a policy repeats: its id, then (after status and message) severity and category. */
interface PolicyFields {
  id: string;
  classification: string;
}

function policyFields(policy: CheckedResult['policy']): PolicyFields {
  return {
    id: `    {\n      "policy": ${JSON.stringify(policy.id)},\n      "result": "`,
    classification: `,\n      "severity": ${JSON.stringify(policy.severity)},\n      "category": ${JSON.stringify(policy.category)}`,
  };
}

/**
 * One result as `JSON.stringify(jsonResult(resource, result), null, 2)` writes it inside the results array, without
 * building the object: the parts shared by a resource's or a policy's results are written once.
 */
function writeResult(
  result: CheckedResult,
  fields: PolicyFields,
  resourcePart: string,
  line: number | undefined,
  violations: readonly unknown[],
): string {
  let out = `${fields.id}${result.status}",\n      "message": ${JSON.stringify(result.message)}${fields.classification}${resourcePart}${line === undefined ? '' : JSON.stringify(line)}`;
  const { pssCheck, exception } = result;
  if (pssCheck !== undefined || exception !== undefined || violations.length > 0) {
    out += ',\n      "properties": {';
    let separator = '\n';
    if (pssCheck !== undefined) {
      out += `${separator}        "pssCheck": ${JSON.stringify(pssCheck)}`;
      separator = ',\n';
    }
    if (exception !== undefined) {
      out += `${separator}        "exception": ${JSON.stringify(exception)}`;
      separator = ',\n';
    }
    if (violations.length > 0)
      out += `${separator}        "violations": ${nestedJson(violations, '        ')}`;
    out += '\n      }';
  }
  return `${out}\n    }`;
}

/** The JSON report in pieces, in order: the bytes of `JSON.stringify(buildJsonReport(run), null, 2)` and a newline. */
export function* jsonReportChunks(run: ValidationRun): Generator<string> {
  yield `{\n  "summary": ${nestedJson(summarizeRun(run), '  ')},\n  "results": [`;
  const byPolicy = new Map<CheckedResult['policy'], PolicyFields>();
  let first = true;
  for (const resource of run.resources) {
    if (resource.results.length === 0) continue;
    const resourcePart = resourceFields(resource);
    for (const result of resource.results) {
      let fields = byPolicy.get(result.policy);
      if (fields === undefined) {
        fields = policyFields(result.policy);
        byPolicy.set(result.policy, fields);
      }
      const line = resource.source === 'cluster' ? undefined : (result.violations[0]?.line ?? resource.line);
      const violations = reportedViolations(resource, result);
      yield `${first ? '\n' : ',\n'}${writeResult(result, fields, resourcePart, line, violations)}`;
      first = false;
    }
  }
  yield `${first ? ']' : '\n  ]'},\n  "errors": ${nestedJson(run.errors, '  ')}\n}\n`;
}

export function formatJson(run: ValidationRun): string {
  return [...jsonReportChunks(run)].join('');
}
