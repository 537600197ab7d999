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
  const lines = result.violations.map((v) =>
    v.line === undefined
      ? `${v.message} (${formatPath(v.path)})`
      : `line ${v.line}: ${v.message} (${formatPath(v.path)})`,
  );
  return [...(lines.length > 0 ? lines : [result.message]), `how to fix: ${result.policy.remediation}`].join(
    '\n',
  );
}

function count(counts: SuiteCounts, status: CheckedResult['status']): void {
  counts.tests++;
  if (status === 'fail') counts.failures++;
  else if (status === 'error') counts.errors++;
  else if (status === 'skip') counts.skipped++;
}

function testcase(policy: Policy, resource: CheckedResource, result: CheckedResult): string {
  // GitLab reads `file` and `line`; a resource read from a cluster has neither, and its uid names it.
  const open = `    <testcase${attributes(
    resource.source === 'cluster'
      ? { classname: policy.id, name: `${describeResource(resource)} (uid ${resource.uid})` }
      : {
          classname: policy.id,
          name: `${describeResource(resource)} (${resource.file}:${resource.line})`,
          file: resource.file,
          line: resource.line,
        },
  )}`;
  switch (result.status) {
    case 'fail':
      return `${open}>\n      <failure${attributes({ message: result.message, type: policy.severity })}>${escapeXmlText(details(result))}</failure>\n    </testcase>`;
    case 'error':
      return `${open}>\n      <error${attributes({ message: result.message, type: 'error' })}>${escapeXmlText(details(result))}</error>\n    </testcase>`;
    case 'skip':
      return `${open}>\n      <skipped${attributes({ message: result.message })}/>\n    </testcase>`;
    case 'warn':
      return `${open}>\n      <system-out>${escapeXmlText(`warning: ${details(result)}`)}</system-out>\n    </testcase>`;
    case 'pass':
      return `${open}/>`;
  }
}

function suiteOpening(name: string, timestamp: string, counts: SuiteCounts): string {
  return `  <testsuite${attributes({ name, ...counts, timestamp })}`;
}

/** A policy's suite: its counts, and where its results are (resource and result indices, in pairs, in run order). */
interface PolicySuite {
  counts: SuiteCounts;
  at: number[];
}

/**
 * The JUnit report in pieces, in order. Suites go policy by policy while results come resource by resource, so the
 * counts and the places of each policy's results are gathered first, and each testcase is written when its suite is.
 */
export function* junitReportChunks(run: ValidationRun): Generator<string> {
  const timestamp = run.metadata.timestamp.toISOString().replace(/\.\d+Z$/, 'Z');
  const suites = new Map<Policy, PolicySuite>();
  const suiteOf = (policy: Policy) => {
    let suite = suites.get(policy);
    if (!suite) {
      suite = { counts: { tests: 0, failures: 0, errors: 0, skipped: 0 }, at: [] };
      suites.set(policy, suite);
    }
    return suite;
  };
  for (const policy of run.metadata.policies) suiteOf(policy);
  const total: SuiteCounts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  run.resources.forEach((resource, r) => {
    resource.results.forEach((result, i) => {
      const suite = suiteOf(result.policy);
      count(suite.counts, result.status);
      count(total, result.status);
      suite.at.push(r, i);
    });
  });
  total.tests += run.errors.length;
  total.errors += run.errors.length;
  const root = `<testsuites${attributes({ name: run.metadata.tool.name, ...total, timestamp })}>`;
  yield `<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`;
  let separator = '';
  for (const [policy, { counts, at }] of suites) {
    const open = suiteOpening(policy.id, timestamp, counts);
    if (at.length === 0) {
      yield `${separator}${open}/>`;
    } else {
      yield `${separator}${open}>\n`;
      for (let k = 0; k < at.length; k += 2) {
        const resource = run.resources[at[k] as number] as CheckedResource;
        const result = resource.results[at[k + 1] as number] as CheckedResult;
        yield `${k === 0 ? '' : '\n'}${testcase(policy, resource, result)}`;
      }
      yield '\n  </testsuite>';
    }
    separator = '\n';
  }
  if (run.errors.length > 0) {
    const counts: SuiteCounts = {
      tests: run.errors.length,
      failures: 0,
      errors: run.errors.length,
      skipped: 0,
    };
    const cases = run.errors.map(
      (error) =>
        // A cluster input error's `file` is an API path, not a file GitLab could open.
        `    <testcase${attributes({ classname: 'input', name: describeInputError(error), file: error.source === 'cluster' ? undefined : error.file, line: error.line })}>\n` +
        `      <error${attributes({ message: error.message, type: 'input' })}/>\n    </testcase>`,
    );
    yield `${separator}${suiteOpening('input', timestamp, counts)}>\n${cases.join('\n')}\n  </testsuite>`;
  }
  yield '\n</testsuites>\n';
}

export function formatJunit(run: ValidationRun): string {
  return [...junitReportChunks(run)].join('');
}
