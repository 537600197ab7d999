import type { ResultStatus } from '../engine.js';
import {
  type CheckedResource,
  type CheckedResult,
  describeInputError,
  describeResource,
  emptySummary,
  type ValidationRun,
} from './run.js';

/**
 * The human report: resources with findings, each finding with its message, lines and how to fix it; passes as
 * counts; input errors; a summary line.
 */

export interface TextReportOptions {
  /** ANSI colour: only for a terminal, and never when NO_COLOR is set. */
  color: boolean;
}

type Style = 'bold' | 'dim' | 'red' | 'yellow' | 'green' | 'cyan';
const ANSI: Record<Style, string> = { bold: '1', dim: '2', red: '31', yellow: '33', green: '32', cyan: '36' };

type Paint = (style: Style, text: string) => string;

const FINDING_STYLE: Partial<Record<ResultStatus, Style>> = { fail: 'red', error: 'red', warn: 'yellow' };
const FINDING_ORDER: ResultStatus[] = ['error', 'fail', 'warn'];

/**
 * Manifest text shown as is could carry terminal escape sequences (a container named "\u001b]…"): control characters
 * are shown as visible escapes instead.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

export function printable(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function linesOf(result: CheckedResult): string {
  const lines = [...new Set(result.violations.flatMap((v) => (v.line === undefined ? [] : [v.line])))].sort(
    (a, b) => a - b,
  );
  if (lines.length === 0) return '';
  return ` (${lines.length === 1 ? 'line' : 'lines'} ${lines.join(', ')})`;
}

function formatResource(resource: CheckedResource, paint: Paint): string[] {
  const findings = resource.results
    .filter((r) => FINDING_STYLE[r.status] !== undefined)
    .sort((a, b) => FINDING_ORDER.indexOf(a.status) - FINDING_ORDER.indexOf(b.status));
  // A file resource is found by file:line; a cluster one by its kind, namespace/name and uid.
  const header =
    resource.source === 'cluster'
      ? `${paint('bold', printable(describeResource(resource)))}  ${paint('dim', `uid ${printable(resource.uid)}`)}`
      : `${paint('bold', printable(`${resource.file}:${resource.line}`))}  ${printable(describeResource(resource))}`;
  const out = [header];
  for (const finding of findings) {
    const label = finding.status.toUpperCase().padEnd(5);
    out.push(
      `  ${paint(FINDING_STYLE[finding.status] ?? 'bold', label)} ${finding.policy.id}: ${printable(finding.message)}${linesOf(finding)}`,
    );
    out.push(`        ${paint('dim', `how to fix: ${finding.policy.remediation}`)}`);
  }
  for (const skipped of resource.results.filter((r) => r.exception !== undefined)) {
    out.push(`  ${paint('cyan', 'SKIP ')} ${skipped.policy.id}: ${printable(skipped.message)}`);
  }
  const passed = resource.results.filter((r) => r.status === 'pass').length;
  if (passed > 0) out.push(`  ${paint('green', 'PASS ')} ${plural(passed, 'policy', 'policies')} passed`);
  return out;
}

/** The text report in pieces, in order: blocks separated by a blank line, the summary last. */
export function* textReportChunks(run: ValidationRun, options: TextReportOptions): Generator<string> {
  const paint: Paint = options.color
    ? (style, text) => `\u001b[${ANSI[style]}m${text}\u001b[0m`
    : (_style, text) => text;
  const summary = emptySummary();
  const files = new Set<string>();
  let clean = 0;
  for (const resource of run.resources) {
    if (resource.source !== 'cluster') files.add(resource.file);
    let noteworthy = false;
    for (const result of resource.results) {
      summary[result.status]++;
      if (FINDING_STYLE[result.status] !== undefined || result.exception !== undefined) noteworthy = true;
    }
    if (noteworthy) yield `${formatResource(resource, paint).join('\n')}\n\n`;
    else clean++;
  }
  if (run.errors.length > 0) {
    const lines = run.errors.map(
      (e) => `  ${paint('red', 'ERROR')} ${printable(`${describeInputError(e)}: ${e.message}`)}`,
    );
    yield `${[paint('bold', 'Input errors'), ...lines].join('\n')}\n\n`;
  }
  const counts = [
    paint(summary.fail > 0 ? 'red' : 'green', `${summary.fail} failed`),
    paint(summary.warn > 0 ? 'yellow' : 'green', plural(summary.warn, 'warning')),
    `${summary.pass} passed`,
    `${summary.skip} skipped`,
  ];
  if (summary.error > 0) counts.push(paint('red', plural(summary.error, 'error')));
  if (run.errors.length > 0) counts.push(paint('red', plural(run.errors.length, 'input error')));
  // An audit has no files: its resources came from the cluster.
  const where =
    run.metadata.cluster === undefined
      ? plural(files.size, 'file')
      : `the cluster ${printable(run.metadata.cluster)}`;
  const scope = `${plural(run.resources.length, 'resource')} in ${where}`;
  const cleanNote = clean > 0 ? `; ${plural(clean, 'resource')} without findings` : '';
  yield `${paint('bold', 'Summary:')} ${scope}${cleanNote}: ${counts.join(', ')}\n`;
}

export function formatText(run: ValidationRun, options: TextReportOptions): string {
  return [...textReportChunks(run, options)].join('');
}
