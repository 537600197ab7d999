import { describe, expect, it } from 'vitest';
import { parseAuditOptions } from './audit-options.js';
import { UsageError } from './io.js';

describe('palisade audit options', () => {
  it('defaults to every namespace, pages of 500, text, all results, no writes', () => {
    const options = parseAuditOptions(['--profile', 'restricted']);
    expect(options).toMatchObject({
      namespaces: [],
      pageSize: 500,
      format: 'text',
      writeReports: false,
      reportApi: 'wgpolicyk8s',
      reportResults: 'all',
      watch: false,
    });
  });

  it('takes --report-results violations with --write-reports, for --watch too', () => {
    expect(parseAuditOptions(['--write-reports', '--report-results', 'violations', '--watch'])).toMatchObject(
      { writeReports: true, reportResults: 'violations', watch: true },
    );
  });

  it.each([
    [
      ['--report-results', 'fails', '--write-reports'],
      /invalid --report-results "fails": use one of all, violations/,
    ],
    [['--report-results', 'violations'], /--report-results says what --write-reports writes/],
    [['--watch'], /--watch keeps the reports in the cluster current: it needs --write-reports/],
    [['--watch', '--write-reports', '-f', 'json'], /--watch writes reports into the cluster, not a --format/],
    [['--report-api', 'kyverno'], /invalid --report-api "kyverno"/],
    [['--page-size', '0'], /invalid --page-size "0"/],
    [['--namespace', 'Team_A'], /invalid --namespace "Team_A"/],
    [['pods.yaml'], /audit reads the cluster, not files/],
    [['--no-such-flag'], /no-such-flag/],
  ])('refuses %j as a usage error', (argv, message) => {
    expect(() => parseAuditOptions(argv)).toThrow(UsageError);
    expect(() => parseAuditOptions(argv)).toThrow(message);
  });
});
