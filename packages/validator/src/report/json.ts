import type { Path } from '../compile.js';
import type { ResultStatus } from '../engine.js';
import type { InputError } from '../manifest-resources.js';
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
}

export interface JsonResult {
  policy: string;
  result: ResultStatus;
  message: string;
  severity: string;
  category: string;
  source: 'palisade';
  resources: JsonResourceReference[];
  file: string;
  /** The first violation's line for a finding, else the line where the resource starts. */
  line: number;
  properties?: {
    pssCheck?: string;
    exception?: string;
    violations?: { message: string; path: Path; line: number }[];
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
  };
}

function jsonResult(resource: CheckedResource, result: CheckedResult): JsonResult {
  const properties: NonNullable<JsonResult['properties']> = {};
  if (result.pssCheck !== undefined) properties.pssCheck = result.pssCheck;
  if (result.exception !== undefined) properties.exception = result.exception;
  if (result.violations.length > 0) properties.violations = result.violations;
  return {
    policy: result.policy.id,
    result: result.status,
    message: result.message,
    severity: result.policy.severity,
    category: result.policy.category,
    source: 'palisade',
    resources: [resourceReference(resource)],
    file: resource.file,
    line: result.violations[0]?.line ?? resource.line,
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

export function formatJson(run: ValidationRun): string {
  return `${JSON.stringify(buildJsonReport(run), null, 2)}\n`;
}
