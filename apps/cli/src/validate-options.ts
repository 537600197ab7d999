import { parseArgs } from 'node:util';
import {
  DEFAULT_MAX_FILE_SIZE,
  isReportFormat,
  REPORT_FORMATS,
  type ReportFormat,
} from '@palisade/validator';
import { UsageError } from './io.js';
import { parseSelection, SELECTION_OPTIONS, type SelectionRequest } from './selection.js';

/** The `validate` command line, parsed and checked. */

export interface ValidateOptions {
  help: boolean;
  paths: string[];
  /** The policy selection, parsed as `build` parses it. */
  selection: SelectionRequest;
  exceptionFiles: string[];
  /** `--allow-empty`: a path that yields no Kubernetes resource is not an input error. */
  allowEmpty: boolean;
  format: ReportFormat;
  output: string | undefined;
  maxFileSize: number;
}

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

export function parseValidateOptions(argv: readonly string[]): ValidateOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const help = values.help ?? false;

  const format = values.format ?? 'text';
  if (!isReportFormat(format))
    throw new UsageError(`invalid --format "${format}": use one of ${REPORT_FORMATS.join(', ')}`);
  const selection = parseSelection(values);
  const maxFileSize =
    values['max-file-size'] === undefined ? DEFAULT_MAX_FILE_SIZE : parseSize(values['max-file-size']);
  if (!help && positionals.length === 0) {
    throw new UsageError('no input: give files or directories to check, or - for standard input');
  }
  return {
    help,
    paths: positionals,
    selection,
    exceptionFiles: values.exceptions ?? [],
    allowEmpty: values['allow-empty'] ?? false,
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
      ...SELECTION_OPTIONS,
      exceptions: { type: 'string', multiple: true },
      'allow-empty': { type: 'boolean' },
      format: { type: 'string', short: 'f' },
      output: { type: 'string', short: 'o' },
      'max-file-size': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
