import { parseArgs } from 'node:util';
import { pssLevelOf } from '@palisade/core';
import { catalogue } from '@palisade/policies';
import { type CliIO, EXIT_OK, UsageError } from './io.js';
import { POLICIES_USAGE } from './policies-usage.js';

/** `palisade policies`: the catalogue as a table or JSON. */

interface PolicyListing {
  id: string;
  title: string;
  severity: string;
  category: string;
  pssLevel: string | undefined;
  description: string;
  remediation: string;
}

function listings(): PolicyListing[] {
  return catalogue.map((policy) => ({
    id: policy.id,
    title: policy.title,
    severity: policy.severity,
    category: policy.category,
    pssLevel: pssLevelOf(policy),
    description: policy.description,
    remediation: policy.remediation,
  }));
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
    )
    .join('\n');
}

export function policiesCommand(argv: readonly string[], io: CliIO): number {
  let values: { format?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: { format: { type: 'string', short: 'f' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    io.stdout.write(POLICIES_USAGE);
    return EXIT_OK;
  }
  const format = values.format ?? 'text';
  if (format === 'json') {
    const json = listings().map(({ pssLevel, ...rest }) => ({ ...rest, ...(pssLevel ? { pssLevel } : {}) }));
    io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return EXIT_OK;
  }
  if (format !== 'text') throw new UsageError(`invalid --format "${format}": use text or json`);
  const rows = listings().map((p) => [p.id, p.severity, p.pssLevel ?? '-', p.category, p.title]);
  io.stdout.write(`${table([['ID', 'SEVERITY', 'PSS', 'CATEGORY', 'TITLE'], ...rows])}\n`);
  return EXIT_OK;
}
