import { parseArgs } from 'node:util';
import { isReportFormat, REPORT_FORMATS, type ReportFormat } from '@palisade/validator';
import { UsageError } from './io.js';
import { listFlag, parseSelection, SELECTION_OPTIONS, type SelectionRequest } from './selection.js';

/** The `audit` command line, parsed and checked. */

export type ReportApiFlag = 'wgpolicyk8s' | 'openreports';
const REPORT_APIS: readonly ReportApiFlag[] = ['wgpolicyk8s', 'openreports'];
export type ReportResultsFlag = 'all' | 'violations';
const REPORT_RESULTS: readonly ReportResultsFlag[] = ['all', 'violations'];

export interface AuditCliOptions {
  help: boolean;
  selection: SelectionRequest;
  exceptionFiles: string[];
  kubeconfig: string | undefined;
  context: string | undefined;
  /** Empty: every namespace (and the cluster-scoped kinds). */
  namespaces: string[];
  pageSize: number;
  format: ReportFormat;
  output: string | undefined;
  writeReports: boolean;
  reportApi: ReportApiFlag;
  reportResults: ReportResultsFlag;
  watch: boolean;
}

/** What the API server accepts as a namespace name (RFC 1123 label): anything else is a typo, said at once. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function parseAuditOptions(argv: readonly string[]): AuditCliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}": audit reads the cluster, not files`);
  const format = values.format ?? 'text';
  if (!isReportFormat(format))
    throw new UsageError(`invalid --format "${format}": use one of ${REPORT_FORMATS.join(', ')}`);
  const reportApi = values['report-api'] ?? 'wgpolicyk8s';
  if (!(REPORT_APIS as readonly string[]).includes(reportApi))
    throw new UsageError(`invalid --report-api "${reportApi}": use one of ${REPORT_APIS.join(', ')}`);
  const reportResults = values['report-results'] ?? 'all';
  if (!(REPORT_RESULTS as readonly string[]).includes(reportResults))
    throw new UsageError(
      `invalid --report-results "${reportResults}": use one of ${REPORT_RESULTS.join(', ')}`,
    );
  if (values['report-results'] !== undefined && !(values['write-reports'] ?? false))
    throw new UsageError('--report-results says what --write-reports writes: it needs --write-reports');
  const namespaces = [...new Set(listFlag(values.namespace))];
  for (const namespace of namespaces)
    if (!NAMESPACE_NAME.test(namespace)) throw new UsageError(`invalid --namespace "${namespace}"`);
  const pageSize = values['page-size'] === undefined ? 500 : Number(values['page-size']);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000)
    throw new UsageError(`invalid --page-size "${values['page-size']}": use a whole number from 1 to 10000`);
  const watch = values.watch ?? false;
  const writeReports = values['write-reports'] ?? false;
  if (watch && !writeReports)
    throw new UsageError('--watch keeps the reports in the cluster current: it needs --write-reports');
  if (watch && (values.format !== undefined || values.output !== undefined))
    throw new UsageError('--watch writes reports into the cluster, not a --format or --output report');
  return {
    help: values.help ?? false,
    selection: parseSelection(values),
    exceptionFiles: values.exceptions ?? [],
    kubeconfig: values.kubeconfig,
    context: values.context,
    namespaces,
    pageSize,
    format,
    output: values.output,
    writeReports,
    reportApi: reportApi as ReportApiFlag,
    reportResults: reportResults as ReportResultsFlag,
    watch,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      ...SELECTION_OPTIONS,
      exceptions: { type: 'string', multiple: true },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      namespace: { type: 'string', short: 'n', multiple: true },
      'page-size': { type: 'string' },
      format: { type: 'string', short: 'f' },
      output: { type: 'string', short: 'o' },
      'write-reports': { type: 'boolean' },
      'report-api': { type: 'string' },
      'report-results': { type: 'string' },
      watch: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
