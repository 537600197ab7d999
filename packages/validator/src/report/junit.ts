import type { Policy } from '@palisade/core';
import {
  type CheckedResource,
  type CheckedResult,
  describeInputError,
  describeResource,
  formatPath,
  type ValidationRun,
} from './run.js';

/**
 * JUnit XML, for CI test views: a testsuite per policy, a testcase per resource the policy applies to (failure for
 * fail, error for error, skipped for skip); input errors form their own suite of errored testcases.
 */

/** Characters XML 1.0 cannot carry at all, even escaped: replaced by U+FFFD. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const ATTRIBUTE_ESCAPES: Record<string, string> = {
  ...TEXT_ESCAPES,
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

export function escapeXmlText(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>]/g, (c) => TEXT_ESCAPES[c] ?? c);
}

export function escapeXmlAttribute(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>"'\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c);
}

function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXmlAttribute(String(value))}"`)
    .join('');
}

interface SuiteCounts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function details(result: CheckedResult): string {
  const lines = result.violations.map((v) => `line ${v.line}: ${v.message} (${formatPath(v.path)})`);
  return [...(lines.length > 0 ? lines : [result.message]), `how to fix: ${result.policy.remediation}`].join(
    '\n',
  );
}

function testcase(
  policy: Policy,
  resource: CheckedResource,
  result: CheckedResult,
  counts: SuiteCounts,
): string {
  counts.tests++;
  const open = `    <testcase${attributes({
    classname: policy.id,
    name: `${describeResource(resource)} (${resource.file}:${resource.line})`,
    file: resource.file,
    line: resource.line,
  })}`;
  switch (result.status) {
    case 'fail':
      counts.failures++;
      return `${open}>\n      <failure${attributes({ message: result.message, type: policy.severity })}>${escapeXmlText(details(result))}</failure>\n    </testcase>`;
    case 'error':
      counts.errors++;
      return `${open}>\n      <error${attributes({ message: result.message, type: 'error' })}>${escapeXmlText(details(result))}</error>\n    </testcase>`;
    case 'skip':
      counts.skipped++;
      return `${open}>\n      <skipped${attributes({ message: result.message })}/>\n    </testcase>`;
    case 'warn':
      return `${open}>\n      <system-out>${escapeXmlText(`warning: ${details(result)}`)}</system-out>\n    </testcase>`;
    case 'pass':
      return `${open}/>`;
  }
}

function testsuite(name: string, timestamp: string, cases: string[], counts: SuiteCounts): string {
  const open = `  <testsuite${attributes({ name, ...counts, timestamp })}`;
  return cases.length === 0 ? `${open}/>` : `${open}>\n${cases.join('\n')}\n  </testsuite>`;
}

/** The JUnit report in pieces, in order: the root element (whose counts need every case first), then each suite. */
export function* junitReportChunks(run: ValidationRun): Generator<string> {
  const timestamp = run.metadata.timestamp.toISOString().replace(/\.\d+Z$/, 'Z');
  const casesByPolicy = new Map<Policy, { cases: string[]; counts: SuiteCounts }>();
  const suiteOf = (policy: Policy) => {
    let suite = casesByPolicy.get(policy);
    if (!suite) {
      suite = { cases: [], counts: { tests: 0, failures: 0, errors: 0, skipped: 0 } };
      casesByPolicy.set(policy, suite);
    }
    return suite;
  };
  for (const policy of run.metadata.policies) suiteOf(policy);
  for (const resource of run.resources) {
    for (const result of resource.results) {
      const suite = suiteOf(result.policy);
      suite.cases.push(testcase(result.policy, resource, result, suite.counts));
    }
  }
  const suites = [...casesByPolicy].map(([policy, suite]) =>
    testsuite(policy.id, timestamp, suite.cases, suite.counts),
  );
  if (run.errors.length > 0) {
    const counts: SuiteCounts = {
      tests: run.errors.length,
      failures: 0,
      errors: run.errors.length,
      skipped: 0,
    };
    const cases = run.errors.map(
      (error) =>
        `    <testcase${attributes({ classname: 'input', name: describeInputError(error), file: error.file, line: error.line })}>\n` +
        `      <error${attributes({ message: error.message, type: 'input' })}/>\n    </testcase>`,
    );
    suites.push(testsuite('input', timestamp, cases, counts));
  }
  const total: SuiteCounts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const suite of casesByPolicy.values()) {
    total.tests += suite.counts.tests;
    total.failures += suite.counts.failures;
    total.errors += suite.counts.errors;
    total.skipped += suite.counts.skipped;
  }
  total.tests += run.errors.length;
  total.errors += run.errors.length;
  const root = `<testsuites${attributes({ name: run.metadata.tool.name, ...total, timestamp })}>`;
  yield `<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`;
  for (let i = 0; i < suites.length; i++) yield i === 0 ? (suites[i] as string) : `\n${suites[i]}`;
  yield '\n</testsuites>\n';
}

export function formatJunit(run: ValidationRun): string {
  return [...junitReportChunks(run)].join('');
}
