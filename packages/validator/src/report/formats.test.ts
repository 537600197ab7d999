import {
  bind,
  check,
  containers,
  definePolicy,
  field,
  isTrue,
  msg,
  type PolicyException,
  pod,
  rule,
} from '@palisade/core';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { Validator } from '../engine.js';
import { STDIN_NAME } from '../input-files.js';
import type { InputError } from '../manifest-resources.js';
import { parseManifests } from '../parse-manifests.js';
import { formatReport, REPORT_FORMATS, type ReportFormat } from './formats.js';
import { formatJson, type JsonReport } from './json.js';
import { escapeXmlAttribute, escapeXmlText, formatJunit } from './junit.js';
import {
  buildPolicyReports,
  formatPolicyReports,
  INPUT_ERROR_POLICY,
  POLICY_REPORT_API_VERSION,
  type PolicyReport,
} from './policyreport.js';
import { checkClusterResource, summarize, type ValidationRun, validateManifests } from './run.js';
import { formatSarif } from './sarif.js';
import { formatText, printable } from './text.js';

// A small catalogue and a run with every kind of outcome: fail, warn, pass, skip (exception), no result, input error.

const noPrivileged = definePolicy({
  id: 'no-privileged',
  title: 'No Privileged Containers',
  description: 'Privileged containers can take over the node.',
  severity: 'high',
  category: 'Pod Security',
  remediation: 'Set securityContext.privileged to false.',
  standard: { name: 'Test Standard', url: 'https://example.com/privileged' },
  match: { kinds: ['Pod'] },
  rule: () =>
    rule([
      check({
        forEach: bind('c', containers()),
        deny: isTrue(field('c', 'securityContext.privileged')),
        message: msg`container "${field('c', 'name')}" must not be privileged`,
        field: 'securityContext.privileged',
      }),
    ]),
});

const noHostNetwork = definePolicy({
  id: 'no-host-network',
  title: 'No Host Network',
  description: 'Pods should not share the node network.',
  severity: 'low',
  category: 'Hardening',
  remediation: 'Remove spec.hostNetwork.',
  match: { kinds: ['Pod'] },
  enforcement: 'warn',
  rule: () =>
    rule([
      check({
        deny: isTrue(pod('spec.hostNetwork')),
        message: msg`pod must not use the host network`,
        field: 'spec.hostNetwork',
      }),
    ]),
});

const MANIFESTS = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: team-a
spec:
  hostNetwork: true
  containers:
    - name: "app<&\\"'\\u0001"
      image: nginx:1.27
      securityContext:
        privileged: true
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1
---
apiVersion: v1
kind: Pod
metadata:
  name: legacy
  namespace: team-b
spec:
  containers:
    - name: old
      image: old:1
      securityContext:
        privileged: true
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: team-a}
---
not: [valid
`;

const exemption: PolicyException = {
  name: 'legacy-app',
  policies: ['no-privileged'],
  reason: 'being replaced',
  match: { names: ['legacy'] },
};

function fixtureRun(): ValidationRun {
  const validator = new Validator({
    policies: [
      { policy: noPrivileged, rule: noPrivileged.rule ?? rule([]), pssCheck: 'privileged' },
      { policy: noHostNetwork, rule: noHostNetwork.rule ?? rule([]) },
    ],
    exceptions: [exemption],
  });
  return validateManifests(validator, parseManifests(MANIFESTS, 'deploy/app.yaml'), {
    tool: { name: 'palisade', version: '1.2.3' },
    timestamp: new Date('2025-01-02T03:04:05.678Z'),
  });
}

const run = fixtureRun();

describe('the run', () => {
  it('has every outcome', () => {
    expect(summarize(run.resources)).toEqual({ pass: 3, fail: 1, warn: 1, error: 0, skip: 1 });
    expect(run.resources.map((r) => r.results.length)).toEqual([2, 2, 2, 0]);
    expect(run.errors).toHaveLength(1);
    expect(run.metadata.policies.map((p) => p.id)).toEqual(['no-privileged', 'no-host-network']);
  });
});

describe('json', () => {
  const report = JSON.parse(formatJson(run)) as JsonReport;

  it('has a summary, one result per resource and applicable policy, and the input errors', () => {
    expect(Object.keys(report)).toEqual(['summary', 'results', 'errors']);
    // `error` counts the input error too, so gating on it never misses an unchecked input.
    expect(report.summary).toEqual({ pass: 3, fail: 1, warn: 1, error: 1, skip: 1, inputErrors: 1 });
    expect(report.results).toHaveLength(6);
    expect(report.errors).toEqual([
      {
        file: 'deploy/app.yaml',
        document: 5,
        line: 41,
        column: 6,
        message: expect.stringMatching(/^invalid YAML/),
      },
    ]);
  });

  it('gives each result the PolicyReport result shape with file, line, pssCheck and located violations', () => {
    expect(report.results[0]).toEqual({
      policy: 'no-privileged',
      result: 'fail',
      message: 'container "app<&"\'\u0001" must not be privileged',
      severity: 'high',
      category: 'Pod Security',
      source: 'palisade',
      resources: [{ apiVersion: 'v1', kind: 'Pod', namespace: 'team-a', name: 'web' }],
      file: 'deploy/app.yaml',
      line: 12,
      properties: {
        pssCheck: 'privileged',
        violations: [
          {
            message: 'container "app<&"\'\u0001" must not be privileged',
            path: ['spec', 'containers', 0, 'securityContext', 'privileged'],
            line: 12,
          },
        ],
      },
    });
    expect(report.results[1]).toMatchObject({ policy: 'no-host-network', result: 'warn', line: 7 });
  });

  it('omits unset namespaces and names the exception of a skipped result', () => {
    expect(report.results[2]).toEqual({
      policy: 'no-privileged',
      result: 'pass',
      message: 'validation passed',
      severity: 'high',
      category: 'Pod Security',
      source: 'palisade',
      resources: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }],
      file: 'deploy/app.yaml',
      line: 14,
      properties: { pssCheck: 'privileged' },
    });
    expect(report.results[4]).toMatchObject({
      result: 'skip',
      properties: { pssCheck: 'privileged', exception: 'legacy-app' },
    });
  });
});

describe('text', () => {
  const text = formatText(run, { color: false });

  it('groups findings by resource with the message, lines and how to fix', () => {
    expect(text).toContain('deploy/app.yaml:1  Pod team-a/web\n');
    // Control characters from manifests are shown escaped, never sent to the terminal.
    expect(text).toContain(
      '  FAIL  no-privileged: container "app<&"\'\\x01" must not be privileged (line 12)\n',
    );
    expect(text).toContain('        how to fix: Set securityContext.privileged to false.\n');
    expect(text).toContain('  WARN  no-host-network: pod must not use the host network (line 7)\n');
    expect(text).toContain(
      'deploy/app.yaml:25  Pod team-b/legacy\n  SKIP  no-privileged: exempted by exception legacy-app: being replaced\n',
    );
    expect(text).not.toContain('Deployment api');
  });

  it('lists input errors and ends with a summary line', () => {
    expect(text).toContain('Input errors\n  ERROR deploy/app.yaml:41:6 (document 5): invalid YAML');
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      'Summary: 4 resources in 1 file; 2 resources without findings: 1 failed, 1 warning, 3 passed, 1 skipped, 1 input error',
    );
  });

  it('escapes control characters so manifests cannot drive the terminal', () => {
    expect(printable('evil\u001b]0;title\u0007\nname')).toBe('evil\\x1b]0;title\\x07\\x0aname');
  });

  it('uses ANSI colour only when asked', () => {
    expect(text).not.toContain('\u001b[');
    const coloured = formatText(run, { color: true });
    expect(coloured).toContain('\u001b[31mFAIL \u001b[0m');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI escapes
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(text);
  });
});

describe('sarif', () => {
  const log = JSON.parse(formatSarif(run));
  const [sarifRun] = log.runs;

  it('is SARIF 2.1.0 with a rule per policy', () => {
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(sarifRun.tool.driver).toMatchObject({ name: 'palisade', version: '1.2.3' });
    expect(sarifRun.tool.driver.rules).toEqual([
      expect.objectContaining({
        id: 'no-privileged',
        name: 'NoPrivileged',
        shortDescription: { text: 'No Privileged Containers' },
        fullDescription: { text: 'Privileged containers can take over the node.' },
        help: expect.objectContaining({ text: 'Set securityContext.privileged to false.' }),
        helpUri: 'https://example.com/privileged',
        defaultConfiguration: { level: 'error' },
        properties: expect.objectContaining({ 'security-severity': '8.0' }),
      }),
      expect.objectContaining({ id: 'no-host-network', defaultConfiguration: { level: 'warning' } }),
    ]);
  });

  it('has a result per violation, located to its line', () => {
    expect(sarifRun.results).toEqual([
      {
        ruleId: 'no-privileged',
        ruleIndex: 0,
        level: 'error',
        message: { text: 'Pod team-a/web: container "app<&"\'\u0001" must not be privileged' },
        locations: [
          { physicalLocation: { artifactLocation: { uri: 'deploy/app.yaml' }, region: { startLine: 12 } } },
        ],
        properties: { resource: 'Pod team-a/web', path: 'spec.containers[0].securityContext.privileged' },
      },
      expect.objectContaining({ ruleId: 'no-host-network', ruleIndex: 1, level: 'warning' }),
    ]);
  });

  it('reports input errors as tool execution notifications', () => {
    expect(sarifRun.invocations).toEqual([
      {
        executionSuccessful: false,
        toolExecutionNotifications: [
          expect.objectContaining({
            level: 'error',
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: 'deploy/app.yaml' },
                  region: { startLine: 41, startColumn: 6 },
                },
              },
            ],
            properties: { document: 5 },
          }),
        ],
      },
    ]);
  });
});

/**
 * A strict XML 1.0 well-formedness check for the subset JUnit output uses (declaration, elements, attributes,
 * text, entity and character references): throws on anything a conforming parser would reject.
 */
function assertWellFormedXml(xml: string): void {
  const invalidChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
  if (invalidChar.test(xml)) throw new Error('character not allowed in XML');
  const reference = /^&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/;
  const checkText = (text: string) => {
    for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) {
      if (!reference.test(text.slice(i))) throw new Error(`bad reference at ${text.slice(i, i + 10)}`);
    }
    if (text.includes('<') || text.includes(']]>')) throw new Error('unescaped markup in text');
  };
  let rest = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  if (rest === xml) throw new Error('missing XML declaration');
  const open: string[] = [];
  let sawRoot = false;
  const name = '[A-Za-z_][\\w.-]*';
  const tag = new RegExp(`^<(/?)(${name})((?:\\s+${name}="[^"<]*")*)\\s*(/?)>`);
  while (rest.length > 0) {
    const next = rest.indexOf('<');
    const text = next === -1 ? rest : rest.slice(0, next);
    if (open.length === 0 && text.trim() !== '') throw new Error('text outside the root element');
    checkText(text);
    if (next === -1) break;
    rest = rest.slice(next);
    const match = tag.exec(rest);
    if (!match) throw new Error(`malformed tag at ${rest.slice(0, 40)}`);
    const [whole, closing, element, attributes = '', selfClosing] = match;
    const seen = new Set<string>();
    for (const [, attribute, value = ''] of attributes.matchAll(new RegExp(`(${name})="([^"]*)"`, 'g'))) {
      if (seen.has(attribute as string)) throw new Error(`duplicate attribute ${attribute}`);
      seen.add(attribute as string);
      checkText(value);
    }
    if (closing) {
      if (open.pop() !== element) throw new Error(`mismatched </${element}>`);
    } else {
      if (open.length === 0 && sawRoot) throw new Error('second root element');
      sawRoot = true;
      if (!selfClosing) open.push(element as string);
    }
    rest = rest.slice(whole.length);
  }
  if (open.length > 0 || !sawRoot) throw new Error(`unclosed elements: ${open.join(', ')}`);
}

describe('junit', () => {
  const xml = formatJunit(run);

  it('is well-formed XML, even with markup and control characters in messages', () => {
    expect(() => assertWellFormedXml(xml)).not.toThrow();
    expect(() => assertWellFormedXml('<?xml version="1.0" encoding="UTF-8"?>\n<a><b></a></b>')).toThrow();
    expect(() => assertWellFormedXml('<?xml version="1.0" encoding="UTF-8"?>\n<a x="&"/>')).toThrow();
    expect(xml).toContain('container &quot;app&lt;&amp;&quot;&apos;\uFFFD&quot; must not be privileged');
  });

  it('has a testsuite per policy and a testcase per resource it applies to', () => {
    expect(xml).toMatch(
      /<testsuites name="palisade" tests="7" failures="1" errors="1" skipped="1" timestamp="2025-01-02T03:04:05Z">/,
    );
    expect(xml).toMatch(/<testsuite name="no-privileged" tests="3" failures="1" errors="0" skipped="1"/);
    expect(xml).toMatch(/<testsuite name="no-host-network" tests="3" failures="0" errors="0" skipped="0"/);
    expect(xml).toMatch(/<testsuite name="input" tests="1" failures="0" errors="1" skipped="0"/);
    expect(xml).toContain(
      '<testcase classname="no-privileged" name="Deployment api (deploy/app.yaml:14)" file="deploy/app.yaml" line="14"/>',
    );
    expect(xml).toMatch(/<failure message="[^"]*" type="high">line 12: container/);
    expect(xml).toContain('<skipped message="exempted by exception legacy-app: being replaced"/>');
    expect(xml).toContain('<system-out>warning: line 7: pod must not use the host network');
  });

  it('escapes text and attributes', () => {
    expect(escapeXmlText('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(escapeXmlAttribute('"x"\n\'y\'\t\u0000')).toBe('&quot;x&quot;&#10;&apos;y&apos;&#9;\uFFFD');
    expect(escapeXmlText('\uD800 lone surrogate')).toBe('\uFFFD lone surrogate');
  });
});

describe('policyreport', () => {
  const text = formatPolicyReports(run);
  const documents = parseAllDocuments(text).map(
    (doc) => doc.toJS() as ReturnType<typeof buildPolicyReports>[number],
  );

  it('writes wgpolicyk8s.io/v1alpha2 PolicyReports, one per namespace, and a ClusterPolicyReport', () => {
    expect(documents.map((d) => [d.apiVersion, d.kind, d.metadata.name, d.metadata.namespace])).toEqual([
      [POLICY_REPORT_API_VERSION, 'ClusterPolicyReport', 'palisade-cluster', undefined],
      [POLICY_REPORT_API_VERSION, 'PolicyReport', 'palisade-team-a', 'team-a'],
      [POLICY_REPORT_API_VERSION, 'PolicyReport', 'palisade-team-b', 'team-b'],
    ]);
  });

  it('counts results in each summary', () => {
    expect(documents.map((d) => d.summary)).toEqual([
      { pass: 2, fail: 0, warn: 0, error: 1, skip: 0 },
      { pass: 0, fail: 1, warn: 1, error: 0, skip: 0 },
      { pass: 1, fail: 0, warn: 0, error: 0, skip: 1 },
    ]);
    for (const report of documents) {
      for (const status of ['pass', 'fail', 'warn', 'error', 'skip'] as const) {
        expect(report.summary[status]).toBe(report.results.filter((r) => r.result === status).length);
      }
    }
  });

  it('gives results the CRD fields: rule, severity in the enum, scored, ObjectReferences, a timestamp', () => {
    expect(documents[1]?.results[0]).toEqual({
      source: 'palisade',
      policy: 'no-privileged',
      rule: 'no-privileged',
      category: 'Pod Security',
      severity: 'high',
      timestamp: { seconds: 1735787045, nanos: 678_000_000 },
      result: 'fail',
      scored: true,
      message: 'container "app<&"\'\u0001" must not be privileged',
      resources: [{ apiVersion: 'v1', kind: 'Pod', name: 'web', namespace: 'team-a' }],
      properties: { file: 'deploy/app.yaml', line: '12', pssCheck: 'privileged' },
    });
    for (const result of documents.flatMap((d) => d.results)) {
      if (result.policy !== INPUT_ERROR_POLICY) {
        expect(['critical', 'high', 'medium', 'low', 'info']).toContain(result.severity);
      }
      for (const value of Object.values(result.properties)) expect(typeof value).toBe('string');
    }
  });

  it('writes YAML that reads back as the built reports', () => {
    expect(documents).toEqual(JSON.parse(JSON.stringify(buildPolicyReports(run))));
    expect(parse(text.split('---\n')[1] ?? '')).toMatchObject({ kind: 'ClusterPolicyReport' });
  });
});

describe('formatReport', () => {
  it('dispatches every format', () => {
    for (const format of REPORT_FORMATS) expect(formatReport(format, run).length).toBeGreaterThan(0);
    expect(formatReport('text', run, { color: true })).toContain('\u001b[');
  });
});

/**
 * Every format represents every input error, with where it is and what is wrong, and counts them: an input error
 * is never only on stderr. The extractors are keyed by format, so a new format cannot be added without one.
 */
describe('input errors in every format', () => {
  const errors: InputError[] = [
    {
      file: 'deploy/app.yaml',
      document: 5,
      line: 41,
      column: 6,
      message: 'invalid YAML: Flow sequence <&"\'>',
    },
    { file: 'missing.yaml', message: 'cannot read: no such file or directory' },
    { file: STDIN_NAME, document: 2, line: 3, column: 1, message: 'invalid YAML: Map keys must be unique' },
    { file: 'bad.yaml', document: 1, line: 7, message: 'not a Kubernetes object: missing kind' },
    { file: 'utf16.yaml', message: 'invalid UTF-16LE at line 4: an unpaired surrogate' },
  ];
  const runs: [string, ValidationRun][] = [
    ['beside results', { ...run, errors }],
    ['alone', { ...run, resources: [], errors }],
  ];

  /** `file:line:column (document N): message`, as text, SARIF and PolicyReport messages and JUnit names say it. */
  const LOCATED =
    /^(?<file>[^:]+?)(?::(?<line>\d+)(?::(?<column>\d+))?)?(?: \(document (?<document>\d+)\))?(?:: (?<message>.*))?$/s;
  function located(text: string): InputError {
    const groups = LOCATED.exec(text)?.groups;
    if (!groups) throw new Error(`not a located input error: ${text}`);
    const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
    const error: InputError = { file: groups.file as string, message: groups.message ?? '' };
    const document = number(groups.document);
    const line = number(groups.line);
    const column = number(groups.column);
    if (document !== undefined) error.document = document;
    if (line !== undefined) error.line = line;
    if (column !== undefined) error.column = column;
    return error;
  }
  const unescapeXml = (text: string) =>
    text.replace(/&(quot|apos|lt|gt|amp|#\d+);/g, (_m, name: string) =>
      name.startsWith('#')
        ? String.fromCharCode(Number(name.slice(1)))
        : (({ quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' } as Record<string, string>)[name] ?? ''),
    );

  /** The input errors a report shows, and how many it counts. */
  const extractors: Record<ReportFormat, (output: string) => { errors: InputError[]; counted: number }> = {
    text: (output) => {
      const block = output.split('\n\n').find((b) => b.startsWith('Input errors\n')) ?? '';
      const lines = block.split('\n').slice(1);
      const counted = Number(/(\d+) input errors?$/m.exec(output)?.[1] ?? 0);
      return { errors: lines.map((l) => located(l.replace(/^ {2}ERROR /, ''))), counted };
    },
    json: (output) => {
      const report = JSON.parse(output) as JsonReport;
      expect(report.summary.error).toBeGreaterThanOrEqual(report.summary.inputErrors);
      return { errors: report.errors, counted: report.summary.inputErrors };
    },
    sarif: (output) => {
      const [invocation] = JSON.parse(output).runs[0].invocations;
      expect(invocation.executionSuccessful).toBe(false);
      const notifications = invocation.toolExecutionNotifications as {
        level: string;
        message: { text: string };
        locations?: {
          physicalLocation: {
            artifactLocation: { uri: string };
            region?: { startLine: number; startColumn?: number };
          };
        }[];
        properties?: { document: number };
      }[];
      const found = notifications.map((n) => {
        expect(n.level).toBe('error');
        const error = located(n.message.text);
        const location = n.locations?.[0]?.physicalLocation;
        if (location) {
          expect(location.artifactLocation.uri).toBe(error.file);
          expect(location.region?.startLine).toBe(error.line);
          expect(location.region?.startColumn).toBe(error.column);
        } else expect(error.file).toBe(STDIN_NAME);
        expect(n.properties?.document).toBe(error.document);
        return error;
      });
      return { errors: found, counted: found.length };
    },
    junit: (output) => {
      const cases = [
        ...output.matchAll(
          /<testcase classname="input" name="([^"]*)" file="([^"]*)"(?: line="(\d+)")?>\n\s*<error message="([^"]*)" type="input"\/>/g,
        ),
      ];
      const found = cases.map(([, name = '', file = '', line, message = '']) => {
        const error = located(unescapeXml(name));
        expect(unescapeXml(file)).toBe(error.file);
        expect(line === undefined ? undefined : Number(line)).toBe(error.line);
        return { ...error, message: unescapeXml(message) };
      });
      const counted = Number(
        /<testsuite name="input" tests="\d+" failures="0" errors="(\d+)"/.exec(output)?.[1] ?? 0,
      );
      return { errors: found, counted };
    },
    policyreport: (output) => reportErrors(output, 'ClusterPolicyReport'),
    openreports: (output) => reportErrors(output, 'ClusterReport'),
  };

  /** PolicyReports and OpenReports alike: input errors are `error` results in the cluster report. */
  function reportErrors(output: string, clusterKind: string): { errors: InputError[]; counted: number } {
    const reports = parseAllDocuments(output).map((d) => d.toJS() as PolicyReport);
    const cluster = reports.find((r) => r.kind === clusterKind);
    const results = reports.flatMap((r) => r.results.filter((x) => x.policy === INPUT_ERROR_POLICY));
    const found = results.map((result) => {
      expect(result).toMatchObject({ result: 'error', rule: INPUT_ERROR_POLICY, source: 'palisade' });
      const error = located(result.message);
      const { file, document, line, column } = result.properties;
      expect({ file, document, line, column }).toEqual({
        file: error.file,
        document: error.document?.toString(),
        line: error.line?.toString(),
        column: error.column?.toString(),
      });
      return error;
    });
    expect(cluster?.results.filter((x) => x.policy === INPUT_ERROR_POLICY)).toHaveLength(results.length);
    const policyErrors = cluster?.results.filter((x) => x.result === 'error').length ?? 0;
    expect(cluster?.summary.error).toBe(policyErrors);
    return { errors: found, counted: results.length };
  }

  for (const [name, withErrors] of runs) {
    it.each(REPORT_FORMATS)(`%s shows and counts every input error (%#, ${name})`, (format) => {
      const { errors: shown, counted } = extractors[format](formatReport(format, withErrors));
      expect(shown).toEqual(errors);
      expect(counted).toBe(errors.length);
    });
  }
});

/**
 * A resource read from a cluster (`palisade audit`) has no file or line: every format names it by kind,
 * namespace/name and uid instead, and a list the API refused is an input error naming the collection.
 */
describe('cluster resources in every format', () => {
  const validator = new Validator({
    policies: [
      { policy: noPrivileged, rule: noPrivileged.rule ?? rule([]), pssCheck: 'privileged' },
      { policy: noHostNetwork, rule: noHostNetwork.rule ?? rule([]) },
    ],
  });
  const object = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web',
      namespace: 'team-a',
      uid: '6f1c0e2a-0000-4000-8000-000000000001',
      resourceVersion: '42',
    },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { privileged: true } }] },
  };
  const clusterRun: ValidationRun = {
    metadata: { ...run.metadata, cluster: 'https://127.0.0.1:6443' },
    resources: [checkClusterResource(object, validator.validate(object))],
    errors: [
      {
        source: 'cluster',
        file: '/apis/apps/v1/deployments',
        message: 'forbidden: User "auditor" cannot list resource "deployments"',
      },
    ],
  };
  const uid = object.metadata.uid;

  it('pairs the object with its results, its uid and resourceVersion, and no lines', () => {
    const [resource] = clusterRun.resources;
    expect(resource).toMatchObject({ source: 'cluster', kind: 'Pod', name: 'web', namespace: 'team-a', uid });
    expect(resource?.source === 'cluster' && resource.resourceVersion).toBe('42');
    expect(resource?.results.map((r) => r.status)).toEqual(['fail', 'pass']);
    expect(resource?.results[0]?.violations).toEqual([
      {
        message: 'container "app" must not be privileged',
        path: ['spec', 'containers', 0, 'securityContext', 'privileged'],
        line: undefined,
      },
    ]);
  });

  it('text names the resource by namespace/name and uid, and the refused list', () => {
    const text = formatText(clusterRun, { color: false });
    expect(text).toContain(
      `Pod team-a/web  uid ${uid}\n  FAIL  no-privileged: container "app" must not be privileged\n`,
    );
    expect(text).toContain('ERROR list /apis/apps/v1/deployments: forbidden: User "auditor"');
    expect(text).toMatch(/^Summary: 1 resource in the cluster https:\/\/127\.0\.0\.1:6443: 1 failed/m);
    expect(text).not.toMatch(/line|undefined/);
  });

  it('json gives the uid in resources and no file or line', () => {
    const report = JSON.parse(formatJson(clusterRun)) as JsonReport;
    expect(report.results[0]).toEqual({
      policy: 'no-privileged',
      result: 'fail',
      message: 'container "app" must not be privileged',
      severity: 'high',
      category: 'Pod Security',
      source: 'palisade',
      resources: [{ apiVersion: 'v1', kind: 'Pod', namespace: 'team-a', name: 'web', uid }],
      properties: {
        pssCheck: 'privileged',
        violations: [
          {
            message: 'container "app" must not be privileged',
            path: ['spec', 'containers', 0, 'securityContext', 'privileged'],
          },
        ],
      },
    });
    expect(report.errors).toEqual([clusterRun.errors[0]]);
  });

  it('sarif locates results logically, by the object, with no artifact', () => {
    const log = JSON.parse(formatSarif(clusterRun));
    const [result] = log.runs[0].results;
    expect(result.locations[0].physicalLocation).toBeUndefined();
    expect(result.locations[0].logicalLocations[0]).toMatchObject({
      fullyQualifiedName: 'v1/namespaces/team-a/Pod/web',
    });
    expect(JSON.stringify(log)).toContain(uid);
    const [notification] = log.runs[0].invocations[0].toolExecutionNotifications;
    expect(notification.locations).toBeUndefined();
    expect(notification.message.text).toContain('list /apis/apps/v1/deployments: forbidden');
  });

  it('junit names the test case by the object and its uid, without file or line', () => {
    const xml = formatJunit(clusterRun);
    expect(xml).toContain(`<testcase classname="no-privileged" name="Pod team-a/web (uid ${uid})">`);
    expect(xml).not.toMatch(/ (file|line)="/);
  });

  it.each([
    ['policyreport', 'PolicyReport'],
    ['openreports', 'Report'],
  ] as const)('%s references the object with its uid, without file or line', (format, kind) => {
    const reports = parseAllDocuments(formatReport(format, clusterRun)).map((d) => d.toJS() as PolicyReport);
    const namespaced = reports.find((r) => r.kind === kind);
    expect(namespaced?.metadata).toMatchObject({ name: 'palisade-team-a', namespace: 'team-a' });
    expect(namespaced?.results[0]?.resources).toEqual([
      { apiVersion: 'v1', kind: 'Pod', name: 'web', namespace: 'team-a', uid },
    ]);
    expect(namespaced?.results[0]?.properties).toEqual({ pssCheck: 'privileged' });
    const inputError = reports.flatMap((r) => r.results).find((r) => r.policy === INPUT_ERROR_POLICY);
    expect(inputError?.properties).toEqual({ collection: '/apis/apps/v1/deployments' });
  });
});
