import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type PssLevel, profileIdsOf, resolveTargetPolicies, type TargetInput } from '@palisade/core';
import { catalogueDir, type Fixture, loadFixtures } from '@palisade/policies';
import { DEFAULT_MAX_FILE_SIZE, printable, validatorOracle, withVerdicts } from '@palisade/validator';
import { loadExceptionFiles } from './exceptions-file.js';
import { type CliIO, EXIT_FAILURES, EXIT_OK, EXIT_USAGE_OR_INPUT, UsageError } from './io.js';
import { compareOutput, OWNED_FOLDERS, scanOutput, writeOutput } from './output-tree.js';
import { parseSelection, resolveSelection, SELECTION_OPTIONS, SELECTION_USAGE } from './selection.js';
import { OUTPUT_PATHS, TARGETS } from './targets.js';

/**
 * `palisade build --out DIR`: writes every target's generated output for the selected policies. Output depends
 * only on the input, so `--check` can compare it with what is committed and fail when it is stale.
 */

/** One line per generated path of every target, from the registry. */
const PATH_WIDTH = Math.max(...OUTPUT_PATHS.map((p) => p.path.length)) + 'DIR/'.length;
const OUTPUT_LINES = OUTPUT_PATHS.map(
  (p) => `  ${`DIR/${p.path}`.padEnd(PATH_WIDTH)}  ${p.description}`,
).join('\n');

const FOLDERS = OWNED_FOLDERS.map((f) => `DIR/${f}`).join(', ');

export const BUILD_USAGE = `Usage: palisade build --out DIR [options]

Generates policy resources for every target from the selected policies:
${OUTPUT_LINES}
The target folders (${FOLDERS}) belong to build: files there that are no longer generated are
removed. Each file is replaced atomically (a temporary file, then rename). Build never follows a symbolic link
below DIR: if a target folder, or anything in it, is a symbolic link or a special file, it refuses (exit 2) and
changes nothing. DIR itself may be a symbolic link.

${SELECTION_USAGE}
      --exceptions <file>       PolicyException documents to compile (repeatable; adds to --config's)

Output:
      --out <dir>               Where to write (required)
      --check                   Write nothing; exit 1 if DIR differs from what would be generated
  -h, --help                    Show this help

Exit codes: 0 written (or up to date with --check), 1 stale output with --check, 2 usage or input error.

Examples:
  palisade build --out generated
  palisade build --out generated --policy restrict-image-registries --params params.yaml --enforcement enforce
  palisade build --config palisade.config.ts --out generated --check
`;

/** A fixture written for another PSS version or profile is not part of this build's suites. */
function fixturesFor(dirs: ReadonlyMap<string, string>, version: string, profile: PssLevel | undefined) {
  return (id: string): Fixture[] => {
    const dir = dirs.get(id) ?? join(catalogueDir, id);
    return loadFixtures(dir).filter(
      (f) =>
        (f.version === undefined || f.version === version) &&
        (f.profile === undefined || f.profile === profile),
    );
  };
}

/**
 * What every target receives: the selection resolved once, and each fixture with the validator's verdict (the
 * validator is the oracle the generated engine tests assert; targets never evaluate policies themselves).
 */
function targetInput(
  selection: Awaited<ReturnType<typeof resolveSelection>>,
  exceptions: TargetInput['exceptions'],
  now: Date,
): TargetInput {
  const pssVersion = selection.pssVersion;
  let policies: TargetInput['policies'];
  try {
    policies = resolveTargetPolicies(selection.policies, { exceptions, now, pssVersion });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const oracle = validatorOracle(selection.policies, exceptions, now);
  const fixtures = fixturesFor(selection.fixtureDirs, pssVersion, selection.profile);
  return {
    policies,
    exceptions,
    pssVersion,
    profiles: profileIdsOf(policies, pssVersion),
    fixtures: (id) => withVerdicts(oracle, id, fixtures(id)),
    oracle,
    now,
  };
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        ...SELECTION_OPTIONS,
        out: { type: 'string' },
        check: { type: 'boolean', default: false },
        exceptions: { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export async function buildCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { values } = parse(argv);
  if (values.help) {
    io.stdout.write(BUILD_USAGE);
    return EXIT_OK;
  }
  const request = parseSelection(values);
  const out = values.out;
  if (!out) throw new UsageError('--out DIR is required');
  const selection = await resolveSelection(request, DEFAULT_MAX_FILE_SIZE);
  for (const warning of selection.warnings)
    io.stderr.write(`palisade build: warning: ${printable(warning)}\n`);
  const extra = await loadExceptionFiles(values.exceptions, DEFAULT_MAX_FILE_SIZE);
  if (extra.errors.length > 0) {
    throw new UsageError(`invalid exceptions:\n  ${extra.errors.map(printable).join('\n  ')}`);
  }
  const exceptions = [...selection.exceptions, ...extra.exceptions];
  const now = io.now?.() ?? new Date();
  const input = targetInput(selection, exceptions, now);

  const files = new Map<string, string>();
  for (const target of TARGETS) {
    let output: ReturnType<typeof target.build>;
    try {
      output = target.build(input);
    } catch (error) {
      throw new UsageError(`${target.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const note of output.notes)
      io.stderr.write(`palisade build: note: ${target.name}: ${printable(note)}\n`);
    for (const [path, content] of output.files) files.set(`${target.folder}/${path}`, content);
  }

  // Nothing is read, written or removed until the whole tree is known to hold no symbolic link.
  const tree = scanOutput(out, files.keys());
  if (tree.problems.length > 0) {
    io.stderr.write(
      `palisade build: refusing to ${values.check ? 'check' : 'write'} ${out}: build never follows a symbolic link ` +
        `and only writes plain files and folders under ${OWNED_FOLDERS.map((f) => `${f}/`).join(' and ')}:\n`,
    );
    for (const problem of tree.problems.slice(0, 50)) io.stderr.write(`  ${printable(problem)}\n`);
    if (tree.problems.length > 50) io.stderr.write(`  … and ${tree.problems.length - 50} more\n`);
    io.stderr.write('Nothing was changed. Remove or replace them, then run build again.\n');
    return EXIT_USAGE_OR_INPUT;
  }

  if (values.check) {
    const { stale, strays } = compareOutput(out, tree, files);
    if (stale.length + strays.length > 0) {
      io.stderr.write(
        `palisade build: ${stale.length} generated files are stale or missing and ${strays.length} are no longer generated in ${out}:\n`,
      );
      for (const path of stale.slice(0, 20)) io.stderr.write(`  stale: ${path}\n`);
      for (const path of strays.slice(0, 20)) io.stderr.write(`  not generated: ${path}\n`);
      io.stderr.write(`Run 'palisade build' with the same options to regenerate them.\n`);
      return EXIT_FAILURES;
    }
    io.stdout.write(`${files.size} generated files in ${out} are up to date\n`);
    return EXIT_OK;
  }
  let result: ReturnType<typeof writeOutput>;
  try {
    result = writeOutput(out, tree, files);
  } catch (error) {
    io.stderr.write(
      `palisade build: cannot write ${out}: ${printable(error instanceof Error ? error.message : String(error))}\n` +
        'No file that was no longer generated has been removed.\n',
    );
    return EXIT_USAGE_OR_INPUT;
  }
  io.stdout.write(
    `${files.size} files for ${selection.policies.length} policies in ${out}: ` +
      `${result.written} written, ${result.unchanged} unchanged` +
      (result.removed > 0 ? `, removed ${result.removed} no longer generated` : '') +
      '\n',
  );
  return EXIT_OK;
}
