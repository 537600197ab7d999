import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Policy, Severity } from '@palisade/core';
import type { ResultStatus } from '../engine.js';
import { STDIN_NAME } from '../input-files.js';
import type { InputError } from '../manifest-resources.js';
import { nestedJson } from './nested-json.js';
import {
  type CheckedResource,
  type CheckedResult,
  describeInputError,
  describeResource,
  formatPath,
  type ValidationRun,
} from './run.js';

/** SARIF 2.1.0, for code scanning: one rule per policy, one result per violation located to its line. */

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

type SarifLevel = 'error' | 'warning' | 'note';

type SarifLocation =
  | {
      physicalLocation: {
        artifactLocation: { uri: string };
        region?: { startLine: number; startColumn?: number };
      };
    }
  | { logicalLocations: { fullyQualifiedName: string; kind: 'resource' }[] };

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations?: SarifLocation[];
  properties: { resource: string; path?: string; uid?: string };
}

/** GitHub code scanning ranks alerts by this score (0–10). */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
};

const LEVEL: Partial<Record<ResultStatus, SarifLevel>> = { fail: 'error', error: 'error', warn: 'warning' };

/** A URI for a file: relative paths stay relative (to the run's working directory), with `/` separators. */
export function artifactUri(file: string): string {
  if (isAbsolute(file)) return pathToFileURL(file).href;
  return file
    .split(/[\\/]/)
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function locations(file: string, line: number | undefined, column?: number): SarifLocation[] | undefined {
  if (file === STDIN_NAME) return undefined;
  const region =
    line === undefined
      ? undefined
      : { startLine: line, ...(column === undefined ? {} : { startColumn: column }) };
  const physicalLocation = { artifactLocation: { uri: artifactUri(file) }, ...(region ? { region } : {}) };
  return [{ physicalLocation }];
}

/**
 * Where a resource read from a cluster is: a logical location (SARIF has no physical one for it), named as the API
 * names it, `apps/v1/namespaces/NS/Deployment/NAME` (`v1/Namespace/NAME` for cluster-scoped kinds).
 */
function clusterLocations(resource: CheckedResource & { source: 'cluster' }): SarifLocation[] {
  const scope = resource.namespace === undefined ? '' : `namespaces/${resource.namespace}/`;
  const fullyQualifiedName = `${resource.apiVersion}/${scope}${resource.kind}/${resource.name ?? ''}`;
  return [{ logicalLocations: [{ fullyQualifiedName, kind: 'resource' }] }];
}

function pascalCase(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
}

function rule(policy: Policy) {
  return {
    id: policy.id,
    name: pascalCase(policy.id),
    shortDescription: { text: policy.title },
    fullDescription: { text: policy.description },
    help: { text: policy.remediation, markdown: `**How to fix:** ${policy.remediation}` },
    ...(policy.standard?.url ? { helpUri: policy.standard.url } : {}),
    defaultConfiguration: { level: policy.enforcement === 'warn' ? 'warning' : 'error' },
    properties: {
      category: policy.category,
      severity: policy.severity,
      'security-severity': SECURITY_SEVERITY[policy.severity],
      tags: ['security', 'kubernetes', policy.category],
    },
  };
}

function results(resource: CheckedResource, result: CheckedResult, ruleIndex: number): SarifResult[] {
  const level = LEVEL[result.status];
  if (!level) return [];
  const base = { ruleId: result.policy.id, ruleIndex, level };
  const where = describeResource(resource);
  if (resource.source === 'cluster') {
    const located = clusterLocations(resource);
    const texts = result.violations.length === 0 ? [undefined] : result.violations;
    return texts.map((violation) => ({
      ...base,
      message: { text: `${where}: ${violation?.message ?? result.message}` },
      locations: located,
      properties: {
        resource: where,
        ...(violation === undefined ? {} : { path: formatPath(violation.path) }),
        uid: resource.uid,
      },
    }));
  }
  if (result.violations.length === 0) {
    const located = locations(resource.file, resource.line);
    return [
      {
        ...base,
        message: { text: `${where}: ${result.message}` },
        ...(located ? { locations: located } : {}),
        properties: { resource: where },
      },
    ];
  }
  return result.violations.map((violation) => {
    const located = locations(resource.file, violation.line);
    return {
      ...base,
      message: { text: `${where}: ${violation.message}` },
      ...(located ? { locations: located } : {}),
      properties: { resource: where, path: formatPath(violation.path) },
    };
  });
}

/** An input error: a notification that the tool could not check the input (standard input has no location). */
function notification(error: InputError) {
  const located = error.source === 'cluster' ? undefined : locations(error.file, error.line, error.column);
  return {
    level: 'error',
    message: { text: `${describeInputError(error)}: ${error.message}` },
    ...(located ? { locations: located } : {}),
    ...(error.document === undefined ? {} : { properties: { document: error.document } }),
  };
}

/** The rules of a run: its policies, then any policy that gave results without being listed. */
function rulePolicies(run: ValidationRun): Policy[] {
  const policies = [...run.metadata.policies];
  // Results may come from policies outside the metadata list; give them rules too.
  const known = new Set(policies);
  for (const resource of run.resources) {
    for (const { policy } of resource.results) {
      if (!known.has(policy)) {
        known.add(policy);
        policies.push(policy);
      }
    }
  }
  return policies;
}

/** The log without its results, which `sarifResults` gives one by one. */
function sarifRun(run: ValidationRun, policies: readonly Policy[]) {
  const { tool } = run.metadata;
  return {
    tool: {
      driver: {
        name: tool.name,
        version: tool.version,
        ...(tool.informationUri ? { informationUri: tool.informationUri } : {}),
        rules: policies.map(rule),
      },
    },
    invocations: [
      {
        executionSuccessful: run.errors.length === 0,
        toolExecutionNotifications: run.errors.map(notification),
      },
    ],
  };
}

function* sarifResults(run: ValidationRun, policies: readonly Policy[]): Generator<SarifResult> {
  const ruleIndex = new Map(policies.map((policy, i) => [policy.id, i]));
  for (const resource of run.resources) {
    for (const result of resource.results) {
      if (LEVEL[result.status] === undefined) continue;
      yield* results(resource, result, ruleIndex.get(result.policy.id) ?? 0);
    }
  }
}

export function buildSarifLog(run: ValidationRun) {
  const policies = rulePolicies(run);
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{ ...sarifRun(run, policies), results: [...sarifResults(run, policies)] }],
  };
}

/** The SARIF log in pieces, in order: the bytes of `JSON.stringify(buildSarifLog(run), null, 2)` and a newline. */
export function* sarifLogChunks(run: ValidationRun): Generator<string> {
  const policies = rulePolicies(run);
  const { tool, invocations } = sarifRun(run, policies);
  yield `{\n  "$schema": ${JSON.stringify(SARIF_SCHEMA)},\n  "version": "2.1.0",\n  "runs": [\n    {\n      "tool": ${nestedJson(tool, '      ')},\n      "invocations": ${nestedJson(invocations, '      ')},\n      "results": [`;
  let first = true;
  for (const result of sarifResults(run, policies)) {
    yield `${first ? '\n        ' : ',\n        '}${nestedJson(result, '        ')}`;
    first = false;
  }
  yield `${first ? ']' : '\n      ]'}\n    }\n  ]\n}\n`;
}

export function formatSarif(run: ValidationRun): string {
  return [...sarifLogChunks(run)].join('');
}
