import { parseArgs } from 'node:util';
import { type PssLevel, parsePssVersion } from '@palisade/core';
import {
  DEFAULT_MAX_FILE_SIZE,
  isReportFormat,
  REPORT_FORMATS,
  type ReportFormat,
} from '@palisade/validator';
import { UsageError } from './io.js';

/** The `validate` command line, parsed and checked. */

export interface ValidateOptions {
  help: boolean;
  paths: string[];
  profile: PssLevel | undefined;
  include: string[];
  exclude: string[];
  pssVersion: string;
  exceptionFiles: string[];
  /** `--config FILE`: policies, parameters, enforcement and exceptions from a palisade.config.ts. */
  config: string | undefined;
  format: ReportFormat;
  output: string | undefined;
  maxFileSize: number;
}

const PROFILES: readonly PssLevel[] = ['baseline', 'restricted'];

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** `1048576`, `512KiB`, `10M`, `1.5GiB` (binary units) → bytes. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = SIZE_UNITS[match?.[2]?.toLowerCase() ?? 'invalid'];
  if (!match || unit === undefined) {
    throw new UsageError(`invalid --max-file-size "${text}": use a number of bytes or a size like 10MiB`);
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes <= 0) throw new UsageError(`invalid --max-file-size "${text}": must be more than 0 bytes`);
  return bytes;
}

/** Repeatable flags also take comma-separated lists. */
function ids(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function parseValidateOptions(argv: readonly string[]): ValidateOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const help = values.help ?? false;

  const profile = values.profile;
  if (profile !== undefined && !(PROFILES as readonly string[]).includes(profile)) {
    throw new UsageError(`invalid --profile "${profile}": use ${PROFILES.join(' or ')}`);
  }
  const format = values.format ?? 'text';
  if (!isReportFormat(format))
    throw new UsageError(`invalid --format "${format}": use one of ${REPORT_FORMATS.join(', ')}`);
  const pssVersion = values['pss-version'] ?? 'latest';
  try {
    parsePssVersion(pssVersion);
  } catch (error) {
    throw new UsageError(`invalid --pss-version: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (values.config !== undefined) {
    const clash = (['profile', 'policy', 'exclude-policy', 'pss-version'] as const).filter(
      (flag) => values[flag] !== undefined,
    );
    if (clash.length > 0) {
      throw new UsageError(
        `--config cannot be combined with ${clash.map((f) => `--${f}`).join(', ')}: set them in the configuration file`,
      );
    }
  }
  const maxFileSize =
    values['max-file-size'] === undefined ? DEFAULT_MAX_FILE_SIZE : parseSize(values['max-file-size']);
  if (!help && positionals.length === 0) {
    throw new UsageError('no input: give files or directories to check, or - for standard input');
  }
  return {
    help,
    paths: positionals,
    profile: profile as PssLevel | undefined,
    include: ids(values.policy),
    exclude: ids(values['exclude-policy']),
    pssVersion,
    exceptionFiles: values.exceptions ?? [],
    config: values.config,
    format,
    output: values.output,
    maxFileSize,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      profile: { type: 'string' },
      policy: { type: 'string', multiple: true },
      'exclude-policy': { type: 'string', multiple: true },
      'pss-version': { type: 'string' },
      exceptions: { type: 'string', multiple: true },
      config: { type: 'string' },
      format: { type: 'string', short: 'f' },
      output: { type: 'string', short: 'o' },
      'max-file-size': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
