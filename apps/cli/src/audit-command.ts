import {
  auditCluster,
  type ClusterAudit,
  KubeClient,
  KubeConfigError,
  ReportCrdMissingError,
  watchCluster,
  writeReports,
} from '@palisade/audit';
import { printable } from '@palisade/validator';
import { type AuditCliOptions, parseAuditOptions } from './audit-options.js';
import { type CliIO, EXIT_OK, EXIT_USAGE_OR_INPUT } from './io.js';
import { StatusLine } from './progress.js';
import { exitCode, loadExceptions, writeRunReport } from './run-report.js';
import { resolveSelection } from './selection.js';
import { AUDIT_USAGE } from './usage.js';
import { cliVersion } from './version.js';

/**
 * `palisade audit`: the objects running in a cluster, checked with the selected policies and reported in any
 * `validate` format; with --write-reports, the results also written into the cluster as policy reports.
 */

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const MAX_FILE_SIZE = 256 * 1024 * 1024;

export async function auditCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const options = parseAuditOptions(argv);
  if (options.help) {
    io.stdout.write(AUDIT_USAGE);
    return EXIT_OK;
  }
  const now = io.now?.() ?? new Date();
  const selection = await resolveSelection(options.selection, MAX_FILE_SIZE);
  for (const warning of selection.warnings) io.stderr.write(`palisade: warning: ${printable(warning)}\n`);
  const exceptions = await loadExceptions(
    options.exceptionFiles,
    MAX_FILE_SIZE,
    selection.exceptions,
    io,
    now,
  );
  const fail = (message: string) => {
    io.stderr.write(`palisade audit: ${printable(message)}\n`);
    return EXIT_USAGE_OR_INPUT;
  };

  let client: KubeClient;
  try {
    client = await KubeClient.load({
      ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
      ...(options.context === undefined ? {} : { context: options.context }),
    });
  } catch (error) {
    if (error instanceof KubeConfigError) return fail(error.message);
    return fail(`cannot load the kubeconfig: ${messageOf(error)}`);
  }
  try {
    if (options.watch) return await watchCommand(client, selection.policies, exceptions, options, io, fail);
    const auditOptions = {
      client,
      policies: selection.policies,
      exceptions,
      now,
      pageSize: options.pageSize,
      tool: { name: 'palisade', version: cliVersion() },
      ...(options.namespaces.length === 0 ? {} : { namespaces: options.namespaces }),
    };
    const status = new StatusLine(io.stderr, io.stdout.isTTY === true && io.stderr.isTTY === true);
    let audit: ClusterAudit;
    try {
      audit = await auditCluster({
        ...auditOptions,
        onProgress: (p) =>
          status.show(
            () => `palisade: listed ${p.collectionsDone}/${p.collections} kinds, ${p.objects} objects`,
            p.collectionsDone === p.collections,
          ),
      });
    } catch (error) {
      // Discovery failed: no kind could be audited (the server is unreachable, the credentials are refused).
      return fail(`cannot audit ${client.server} (${client.source}): ${messageOf(error)}`);
    } finally {
      status.clear();
    }
    for (const kind of audit.missingKinds)
      io.stderr.write(
        `palisade: warning: the cluster serves no ${printable(kind)}: nothing of that kind to audit\n`,
      );

    const failedWrite = await writeRunReport(audit.run, options, io);
    if (failedWrite !== undefined) return failedWrite;
    const code = exitCode(audit.run);
    if (!options.writeReports) return code;
    return Math.max(code, await writeClusterReports(client, audit, options, io, fail));
  } finally {
    client.close();
  }
}

async function writeClusterReports(
  client: KubeClient,
  audit: ClusterAudit,
  options: AuditCliOptions,
  io: CliIO,
  fail: (message: string) => number,
): Promise<number> {
  try {
    const result = await writeReports(client, audit.run, {
      api: options.reportApi,
      results: options.reportResults,
      // A namespace-limited audit owns only those namespaces' reports; the cluster report is a whole audit's.
      ...(options.namespaces.length === 0 ? {} : { scope: options.namespaces }),
    });
    io.stderr.write(
      `palisade: reports: ${result.reports} in the cluster, ${result.applied} written, ${result.unchanged} unchanged, ${result.deleted} deleted\n`,
    );
    return EXIT_OK;
  } catch (error) {
    if (error instanceof ReportCrdMissingError) return fail(error.message);
    return fail(`cannot write the reports: ${messageOf(error)}`);
  }
}

/**
 * `--watch`: the first audit written whole, then the reports kept current until SIGTERM or SIGINT; each write and
 * each reconnect is one line on stderr. Stopping flushes what changed since the last write and exits 0.
 */
async function watchCommand(
  client: KubeClient,
  policies: Parameters<typeof watchCluster>[0]['policies'],
  exceptions: Parameters<typeof watchCluster>[0]['exceptions'],
  options: AuditCliOptions,
  io: CliIO,
  fail: (message: string) => number,
): Promise<number> {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    io.stderr.write(`palisade: ${signal}: stopping the watch\n`);
    controller.abort();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    await watchCluster({
      client,
      policies,
      ...(exceptions === undefined ? {} : { exceptions }),
      reportApi: options.reportApi,
      reportResults: options.reportResults,
      pageSize: options.pageSize,
      signal: controller.signal,
      tool: { name: 'palisade', version: cliVersion() },
      ...(options.namespaces.length === 0 ? {} : { namespaces: options.namespaces }),
      onWrite: ({ namespaces, result, run }) => {
        const where =
          namespaces === undefined
            ? `${run.resources.length} resources, ${run.errors.length} input errors`
            : namespaces.map((n) => (n === '' ? '(cluster)' : n)).join(', ');
        io.stderr.write(
          `palisade: reports (${printable(where)}): ${result.applied} written, ${result.unchanged} unchanged, ${result.deleted} deleted\n`,
        );
        if (namespaces === undefined) io.stderr.write('palisade: watching for changes\n');
      },
      onLog: (message) => io.stderr.write(`palisade: watch: ${printable(message)}\n`),
    });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof ReportCrdMissingError) return fail(error.message);
    return fail(`cannot watch ${client.server} (${client.source}): ${messageOf(error)}`);
  } finally {
    process.removeListener('SIGTERM', stop);
    process.removeListener('SIGINT', stop);
  }
}
