import { formatJson } from './json.js';
import { formatJunit } from './junit.js';
import { formatPolicyReports } from './policyreport.js';
import type { ValidationRun } from './run.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';

/** Every report format by name, for tools that let users pick one. */

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'junit', 'policyreport'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportOptions {
  /** ANSI colour in the text format. @default false */
  color?: boolean;
}

export function isReportFormat(name: string): name is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(name);
}

export function formatReport(format: ReportFormat, run: ValidationRun, options: ReportOptions = {}): string {
  switch (format) {
    case 'text':
      return formatText(run, { color: options.color ?? false });
    case 'json':
      return formatJson(run);
    case 'sarif':
      return formatSarif(run);
    case 'junit':
      return formatJunit(run);
    case 'policyreport':
      return formatPolicyReports(run);
  }
}
