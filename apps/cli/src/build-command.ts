import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { type PolicyConfig, type PssLevel, parsePssVersion, selectPolicies } from '@palisade/core';
import { buildGatekeeperOutput } from '@palisade/gatekeeper';
import { catalogue } from '@palisade/policies';
import { loadFixtures, policiesDir } from '@palisade/policies/testing';
import { printable } from '@palisade/validator';
import { parse as parseYaml } from 'yaml';
import { loadExceptionFiles } from './exceptions-file.js';
import { type CliIO, EXIT_FAILURES, EXIT_OK, UsageError } from './io.js';

/**
 * `palisade build --out DIR`: writes every target's generated output (today: Gatekeeper) for the selected policies.
 * Output depends only on the input, so `--check` can compare it with what is committed and fail when stale.
 */

export const BUILD_USAGE = `Usage: palisade build --out DIR [options]

Generates policy resources for every target from the selected policies:
  DIR/gatekeeper/<policy-id>/{template,constraint,kustomization,suite}.yaml and samples/
  DIR/gatekeeper/profiles/<baseline|restricted>/kustomization.yaml

Options:
  --out DIR                 where to write (required)
  --check                   write nothing; exit 1 if DIR differs from what would be generated
  --profile P               baseline | restricted (default: restricted plus every hardening policy given parameters)
  --policy ID               add a catalogue policy (repeatable)
  --exclude-policy ID       leave a policy out (repeatable)
  --pss-version V           latest (default) or v1.N
  --params FILE             YAML or JSON: policy id -> parameter values (e.g. registries for restrict-image-registries)
  --exceptions FILE         PolicyException documents to compile (repeatable)
  -h, --help                show this help
`;

function readParams(file: string | undefined): Record<string, unknown> {
  if (file === undefined) return {};
  let value: unknown;
  try {
    value = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `cannot read --params ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`--params ${file} must map policy ids to parameter objects`);
  }
  return value as Record<string, unknown>;
}

function readTree(dir: string, paths: Iterable<string>): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const path of paths) {
    try {
      out.set(path, readFileSync(join(dir, path), 'utf8'));
    } catch {
      out.set(path, undefined);
    }
  }
  return out;
}

export async function buildCommand(argv: readonly string[], io: CliIO): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        check: { type: 'boolean', default: false },
        profile: { type: 'string' },
        policy: { type: 'string', multiple: true, default: [] },
        'exclude-policy': { type: 'string', multiple: true, default: [] },
        'pss-version': { type: 'string', default: 'latest' },
        params: { type: 'string' },
        exceptions: { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  }
  try {
    parsed = parse();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help) {
    io.stdout.write(BUILD_USAGE);
    return EXIT_OK;
  }
  if (!values.out) throw new UsageError('--out DIR is required');
  const profile = values.profile;
  if (profile !== undefined && profile !== 'baseline' && profile !== 'restricted') {
    throw new UsageError(`--profile must be baseline or restricted, not "${profile}"`);
  }
  try {
    parsePssVersion(values['pss-version']);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const params = readParams(values.params);
  let include = values.policy;
  if (profile === undefined && include.length === 0) {
    // The default set: restricted plus each hardening policy whose parameters are satisfied.
    include = catalogue
      .filter((p) => !p.pss && p.params.safeParse(params[p.id] ?? {}).success)
      .map((p) => p.id);
  }
  let selected: PolicyConfig[];
  try {
    selected = selectPolicies(catalogue, {
      profile: (profile as PssLevel | undefined) ?? (values.policy.length === 0 ? 'restricted' : undefined),
      include,
      exclude: values['exclude-policy'],
      version: values['pss-version'],
    }).map((resolved) => ({ ...resolved, params: params[resolved.policy.id] }));
  } catch (error) {
    throw new UsageError(
      `${error instanceof Error ? error.message : String(error)}; run 'palisade policies' to list them`,
    );
  }
  const exceptions = await loadExceptionFiles(values.exceptions, 64 * 1024 * 1024);
  if (exceptions.errors.length > 0) {
    throw new UsageError(`invalid exceptions:\n  ${exceptions.errors.map(printable).join('\n  ')}`);
  }
  let output: ReturnType<typeof buildGatekeeperOutput>;
  try {
    output = buildGatekeeperOutput({
      policies: selected,
      exceptions: exceptions.exceptions,
      fixtures: (id) => loadFixtures(join(policiesDir, id)),
      profileVersion: values['pss-version'],
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  for (const problem of output.problems)
    io.stderr.write(`palisade build: note: gatekeeper: ${printable(problem)}\n`);
  const files = new Map([...output.files].map(([path, content]) => [join('gatekeeper', path), content]));

  if (values.check) {
    const current = readTree(values.out, files.keys());
    const stale = [...files].filter(([path, content]) => current.get(path) !== content).map(([path]) => path);
    if (stale.length > 0) {
      io.stderr.write(
        `palisade build: ${stale.length} generated files are stale or missing in ${values.out}:\n`,
      );
      for (const path of stale.slice(0, 20)) io.stderr.write(`  ${path}\n`);
      io.stderr.write(`Run 'palisade build --out ${values.out}' to regenerate them.\n`);
      return EXIT_FAILURES;
    }
    io.stdout.write(`${files.size} generated files in ${values.out} are up to date\n`);
    return EXIT_OK;
  }
  for (const [path, content] of files) {
    const target = join(values.out, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  io.stdout.write(`wrote ${files.size} files for ${selected.length} policies to ${values.out}\n`);
  return EXIT_OK;
}
