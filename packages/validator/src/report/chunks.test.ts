import { check, definePolicy, isTrue, msg, type Policy, pod, rule } from '@palisade/core';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ResultStatus } from '../engine.js';
import type { InputError } from '../manifest-resources.js';
import { REPORT_FORMATS, reportChunks } from './formats.js';
import { buildJsonReport, formatJson } from './json.js';
import { buildOpenReports, formatOpenReports } from './openreports.js';
import { buildPolicyReports, formatPolicyReports } from './policyreport.js';
import type { CheckedResource, CheckedResult, ValidationRun } from './run.js';
import { buildSarifLog, formatSarif } from './sarif.js';

// The JSON, SARIF and PolicyReport formats are written result by result rather than as one document: they must give
// the bytes the whole-document implementations (`JSON.stringify` / `yaml` of the built report) give, whatever the
// strings hold.

/** Strings every writer must quote, escape or block: YAML indicators, look-alike scalars, line breaks, controls. */
const HOSTILE = [
  'plain',
  '',
  ' leading space',
  'trailing space ',
  'multi\nline',
  'two\n\nbreaks\n',
  '\n',
  'yes',
  'null',
  '~',
  '1',
  '0x1F',
  '1e3',
  '---',
  '- dash',
  'a: b',
  '#comment',
  'x #y',
  '"double"',
  "it's",
  'tab\there',
  '\u0001\u001b[31m',
  '\u007f\u0085\u2028',
  'emoji 😀 and a lone \uD800',
  '{flow}',
  '[seq]',
  '&anchor *alias !tag',
  '%directive',
  '@at `tick`',
  'k8s.io/name=value',
  'a'.repeat(300),
];

const hostile = (i: number) => HOSTILE[i % HOSTILE.length] as string;
/** File names come from the file system, decoded: never a lone surrogate (SARIF URIs could not carry one). */
const fileName = (i: number) => hostile(i).replace(/[\uD800-\uDFFF]/g, '?');

function policy(id: string, severity: Policy['severity'], category: string): Policy {
  return definePolicy({
    id,
    title: `Title of ${id}`,
    description: 'A description\nover lines.',
    severity,
    category,
    remediation: 'Fix it: now.',
    match: { kinds: ['Pod'] },
    rule: () =>
      rule([
        check({
          deny: isTrue(pod('spec.hostNetwork')),
          message: msg`host network`,
          field: 'spec.hostNetwork',
        }),
      ]),
  });
}

const POLICIES = [policy('first', 'high', 'Pod Security'), policy('second', 'low', 'a: category')];
const STATUSES: ResultStatus[] = ['pass', 'fail', 'warn', 'error', 'skip'];

function result(i: number, j: number): CheckedResult {
  const status = STATUSES[(i + j) % STATUSES.length] as ResultStatus;
  const located = status === 'fail' || status === 'warn' || status === 'error';
  return {
    policy: POLICIES[j % POLICIES.length] as Policy,
    pssCheck: j % 2 === 0 ? hostile(i + 3) : undefined,
    status,
    message: hostile(i + j),
    violations: located
      ? [
          { message: hostile(i + 5), path: ['spec', 'containers', i % 3, hostile(i)], line: 10 + i },
          { message: hostile(i + 6), path: [], line: 3 },
        ].slice(0, 1 + (i % 2))
      : [],
    exception: status === 'skip' ? hostile(i + 7) : undefined,
  };
}

function resource(i: number): CheckedResource {
  return {
    apiVersion: i % 4 === 0 ? 'v1' : 'apps/v1',
    kind: i % 4 === 0 ? 'Pod' : 'Deployment',
    name: i % 5 === 0 ? undefined : hostile(i),
    namespace: i % 3 === 0 ? undefined : hostile(i + 1).slice(0, 20),
    file: i % 7 === 0 ? '<stdin>' : `dir/${fileName(i + 2)}.yaml`,
    document: i + 1,
    line: 1 + i * 20,
    results: i % 6 === 5 ? [] : [result(i, 0), result(i, 1)],
  };
}

function inputError(i: number): InputError {
  return {
    file: `bad/${fileName(i)}.yaml`,
    ...(i % 2 === 0 ? { document: i + 1, line: i + 2 } : {}),
    ...(i % 3 === 0 ? { column: 4 } : {}),
    message: hostile(i + 4),
  };
}

function hostileRun(resources: number, errors: number): ValidationRun {
  return {
    metadata: {
      tool: { name: 'palisade', version: '1.2.3' },
      timestamp: new Date('2025-01-02T03:04:05.678Z'),
      policies: POLICIES,
    },
    resources: Array.from({ length: resources }, (_, i) => resource(i)),
    errors: Array.from({ length: errors }, (_, i) => inputError(i)),
  };
}

const RUNS: [string, ValidationRun][] = [
  ['hostile strings everywhere', hostileRun(3 * HOSTILE.length, HOSTILE.length)],
  ['no resources, no errors', hostileRun(0, 0)],
  ['input errors only', hostileRun(0, 3)],
  ['resources without results only', { ...hostileRun(6, 0), resources: [resource(5), resource(11)] }],
];

const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false };

describe.each(RUNS)('reports written in pieces (%s)', (_name, run) => {
  it('JSON: the bytes of JSON.stringify of the whole report', () => {
    expect(formatJson(run)).toBe(`${JSON.stringify(buildJsonReport(run), null, 2)}\n`);
  });

  it('SARIF: the bytes of JSON.stringify of the whole log', () => {
    expect(formatSarif(run)).toBe(`${JSON.stringify(buildSarifLog(run), null, 2)}\n`);
  });

  it('PolicyReport: the bytes yaml writes for the built reports', () => {
    const whole = buildPolicyReports(run)
      .map((report) => `---\n${stringify(report, YAML_OPTIONS)}`)
      .join('');
    expect(formatPolicyReports(run)).toBe(whole);
  });

  it('OpenReports: the bytes yaml writes for the built reports, which are the PolicyReports in other kinds', () => {
    const reports = buildOpenReports(run);
    expect(formatOpenReports(run)).toBe(
      reports.map((report) => `---\n${stringify(report, YAML_OPTIONS)}`).join(''),
    );
    const policyReports = buildPolicyReports(run);
    expect(reports.map(({ apiVersion, kind, source, ...rest }) => rest)).toEqual(
      policyReports.map(({ apiVersion, kind, ...rest }) => rest),
    );
    expect(reports.map((r) => [r.apiVersion, r.kind, r.source])).toEqual(
      policyReports.map((r) => [
        'openreports.io/v1alpha1',
        r.kind === 'PolicyReport' ? 'Report' : 'ClusterReport',
        'palisade',
      ]),
    );
  });

  it.each(REPORT_FORMATS)('%s: pieces that join to the report, many of them for a large run', (format) => {
    const pieces = [...reportChunks(format, run)];
    expect(pieces.join('')).toBe([...reportChunks(format, run)].join(''));
    if (format !== 'junit' && run.resources.length > 20) expect(pieces.length).toBeGreaterThan(20);
  });
});
