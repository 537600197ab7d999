import { type Dirent, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type PolicyConfig,
  type PolicyException,
  type PssLevel,
  parsePssVersion,
  selectPolicies,
} from '@palisade/core';
import { buildGatekeeperOutput } from '@palisade/gatekeeper';
import { buildKyvernoOutput, KUBERNETES_VERSION, KYVERNO_VERSION } from '@palisade/kyverno';
import { catalogue, catalogueDir, type Fixture, loadFixtures } from '@palisade/policies';
import { printable } from '@palisade/validator';
import { parse as parseYaml } from 'yaml';
import { loadConfigFile } from './config-file.js';
import { loadExceptionFiles } from './exceptions-file.js';
import { type CliIO, EXIT_FAILURES, EXIT_OK, UsageError } from './io.js';

/**
 * `palisade build --out DIR`: writes every target's generated output for the selected policies. Output depends
 * only on the input, so `--check` can compare it with what is committed and fail when it is stale.
 */

/** The folders of DIR that `build` owns: everything in them is generated, and `--check` reports strays. */
const TARGETS = ['gatekeeper', 'kyverno'] as const;

export const BUILD_USAGE = `Usage: palisade build --out DIR [options]

Generates policy resources for every target from the selected policies:
  DIR/gatekeeper/<policy-id>/{template,constraint,kustomization,suite}.yaml and samples/
  DIR/gatekeeper/profiles/<baseline|restricted>/kustomization.yaml
  DIR/kyverno/cluster-policies/<policy-id>/{policy,kustomization,kyverno-test,resources}.yaml
  DIR/kyverno/validating-policies/<policy-id>/ (the same files)
  DIR/kyverno/exceptions/, DIR/kyverno/profiles/<baseline|restricted>/
Files under DIR/gatekeeper and DIR/kyverno that are no longer generated are removed.

Options:
  --out DIR                 where to write (required)
  --check                   write nothing; exit 1 if DIR differs from what would be generated
  --config FILE             palisade.config.ts: policies (catalogue and your own), parameters, enforcement,
                            exceptions; replaces --profile, --policy, --exclude-policy, --pss-version, --params
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

/** Every file under DIR/<target> for the targets build owns, as paths relative to DIR. */
function existingFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else out.push(relative(dir, child).split(sep).join('/'));
    }
  };
  for (const target of TARGETS) walk(join(dir, target));
  return out.sort();
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** What the flags or the configuration file select: policies, exceptions, fixtures. */
interface BuildSelection {
  policies: PolicyConfig[];
  exceptions: PolicyException[];
  profileVersion: string;
  fixtures: (id: string) => Fixture[];
}

const SELECTION_FLAGS = ['profile', 'policy', 'exclude-policy', 'pss-version', 'params'] as const;

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
        config: { type: 'string' },
        profile: { type: 'string' },
        policy: { type: 'string', multiple: true },
        'exclude-policy': { type: 'string', multiple: true },
        'pss-version': { type: 'string' },
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
  const maxFileSize = 64 * 1024 * 1024;
  const selection = values.config === undefined ? await flagSelection(values) : await configSelection(values);
  const extra = await loadExceptionFiles(values.exceptions, maxFileSize);
  if (extra.errors.length > 0) {
    throw new UsageError(`invalid exceptions:\n  ${extra.errors.map(printable).join('\n  ')}`);
  }
  const exceptions = [...selection.exceptions, ...extra.exceptions];
  const now = io.now?.() ?? new Date();

  const files = new Map<string, string>();
  const outputs = {
    gatekeeper: () =>
      buildGatekeeperOutput({
        policies: selection.policies,
        exceptions,
        fixtures: selection.fixtures,
        profileVersion: selection.profileVersion,
        now,
      }),
    kyverno: () =>
      buildKyvernoOutput({
        policies: selection.policies,
        exceptions,
        fixtures: selection.fixtures,
        profileVersion: selection.profileVersion,
        kyvernoVersion: KYVERNO_VERSION,
        kubernetesVersion: KUBERNETES_VERSION,
        now,
      }),
  };
  for (const target of TARGETS) {
    let output: { files: Map<string, string>; problems: string[] };
    try {
      output = outputs[target]();
    } catch (error) {
      throw new UsageError(`${target}: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const problem of output.problems)
      io.stderr.write(`palisade build: note: ${target}: ${printable(problem)}\n`);
    for (const [path, content] of output.files) files.set(`${target}/${path}`, content);
  }
  const strays = existingFiles(values.out).filter((path) => !files.has(path));

  if (values.check) {
    const stale = [...files]
      .filter(([path, content]) => readOrUndefined(join(values.out as string, path)) !== content)
      .map(([path]) => path);
    if (stale.length + strays.length > 0) {
      io.stderr.write(
        `palisade build: ${stale.length} generated files are stale or missing and ${strays.length} are no longer generated in ${values.out}:\n`,
      );
      for (const path of stale.slice(0, 20)) io.stderr.write(`  stale: ${path}\n`);
      for (const path of strays.slice(0, 20)) io.stderr.write(`  not generated: ${path}\n`);
      io.stderr.write(`Run 'palisade build' with the same options to regenerate them.\n`);
      return EXIT_FAILURES;
    }
    io.stdout.write(`${files.size} generated files in ${values.out} are up to date\n`);
    return EXIT_OK;
  }
  for (const path of strays) rmSync(join(values.out, path));
  for (const [path, content] of files) {
    const target = join(values.out, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  io.stdout.write(
    `wrote ${files.size} files for ${selection.policies.length} policies to ${values.out}` +
      (strays.length > 0 ? ` (removed ${strays.length} no longer generated)` : '') +
      '\n',
  );
  return EXIT_OK;
}

interface BuildFlags {
  config?: string | undefined;
  profile?: string | undefined;
  policy?: string[] | undefined;
  'exclude-policy'?: string[] | undefined;
  'pss-version'?: string | undefined;
  params?: string | undefined;
}

async function configSelection(values: BuildFlags): Promise<BuildSelection> {
  const clash = SELECTION_FLAGS.filter((flag) => values[flag] !== undefined);
  if (clash.length > 0) {
    throw new UsageError(
      `--config cannot be combined with ${clash.map((f) => `--${f}`).join(', ')}: set them in the configuration file`,
    );
  }
  const loaded = await loadConfigFile(values.config as string, 64 * 1024 * 1024);
  const version = loaded.config.pssVersion ?? 'latest';
  return {
    policies: loaded.policies,
    exceptions: loaded.exceptions,
    profileVersion: version,
    fixtures: fixturesFor(loaded.fixtureDirs, version, loaded.config.profile),
  };
}

async function flagSelection(values: BuildFlags): Promise<BuildSelection> {
  const profile = values.profile;
  if (profile !== undefined && profile !== 'baseline' && profile !== 'restricted') {
    throw new UsageError(`--profile must be baseline or restricted, not "${profile}"`);
  }
  const version = values['pss-version'] ?? 'latest';
  try {
    parsePssVersion(version);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const params = readParams(values.params);
  const policies = values.policy ?? [];
  let include = policies;
  if (profile === undefined && include.length === 0) {
    // The default set: restricted plus each hardening policy whose parameters are satisfied.
    include = catalogue
      .filter((p) => !p.pss && p.params.safeParse(params[p.id] ?? {}).success)
      .map((p) => p.id);
  }
  const level = (profile as PssLevel | undefined) ?? (policies.length === 0 ? 'restricted' : undefined);
  let selected: PolicyConfig[];
  try {
    selected = selectPolicies(catalogue, {
      profile: level,
      include,
      exclude: values['exclude-policy'] ?? [],
      version,
    }).map((resolved) => ({ ...resolved, params: params[resolved.policy.id] }));
  } catch (error) {
    throw new UsageError(
      `${error instanceof Error ? error.message : String(error)}; run 'palisade policies' to list them`,
    );
  }
  return {
    policies: selected,
    exceptions: [],
    profileVersion: version,
    fixtures: fixturesFor(new Map(), version, level),
  };
}
