import { jsonReportChunks } from './json.js';
import { junitReportChunks } from './junit.js';
import { openReportChunks } from './openreports.js';
import { policyReportChunks } from './policyreport.js';
import type { ValidationRun } from './run.js';
import { sarifLogChunks } from './sarif.js';
import { textReportChunks } from './text.js';

/** Every report format by name, for tools that let users pick one. */

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'junit', 'policyreport', 'openreports'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportOptions {
  /** ANSI colour in the text format. @default false */
  color?: boolean;
}

export function isReportFormat(name: string): name is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(name);
}

/** A report in pieces, in order, to be written as they come rather than held as one string. */
export function reportChunks(
  format: ReportFormat,
  run: ValidationRun,
  options: ReportOptions = {},
): Iterable<string> {
  switch (format) {
    case 'text':
      return textReportChunks(run, { color: options.color ?? false });
    case 'json':
      return jsonReportChunks(run);
    case 'sarif':
      return sarifLogChunks(run);
    case 'junit':
      return junitReportChunks(run);
    case 'policyreport':
      return policyReportChunks(run);
    case 'openreports':
      return openReportChunks(run);
  }
}

export function formatReport(format: ReportFormat, run: ValidationRun, options: ReportOptions = {}): string {
  return [...reportChunks(format, run, options)].join('');
}
