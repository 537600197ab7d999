import { readFileSync } from 'node:fs';
import {
  type Enforcement,
  enforcementSchema,
  type PalisadeConfig,
  type Policy,
  type PolicyConfig,
  type PolicyException,
  type PssLevel,
  parsePssVersion,
  resolveConfig,
} from '@palisade/core';
import { catalogue } from '@palisade/policies';
import { printable } from '@palisade/validator';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { loadConfigFile } from './config-file.js';
import { UsageError } from './io.js';

/**
 * The policy selection shared by `validate` and `build`: one set of flags, one meaning, one default. Flags are
 * turned into the same `PalisadeConfig` a `--config` file exports and resolved by the same `resolveConfig`, so a
 * selection made on the command line and one written in a configuration give the same policies, parameters and
 * enforcement to the validator and to every backend.
 */

/** The `parseArgs` options of the selection; both commands spread them into their own. */
export const SELECTION_OPTIONS = {
  profile: { type: 'string' },
  policy: { type: 'string', multiple: true },
  'exclude-policy': { type: 'string', multiple: true },
  'pss-version': { type: 'string' },
  params: { type: 'string' },
  enforcement: { type: 'string' },
  config: { type: 'string' },
} as const;

/** The flags `--config` replaces: the configuration file says all of this itself. */
const CONFIG_REPLACES = [
  'profile',
  'policy',
  'exclude-policy',
  'pss-version',
  'params',
  'enforcement',
] as const;

/** Help text of the selection flags, the same in both commands. */
export const SELECTION_USAGE = `Policy selection (with neither --profile nor --policy: the restricted profile; hardening policies are
selected with --policy, e.g. --profile restricted --policy disallow-latest-tag):
      --profile <level>         Pod Security Standards profile: baseline or restricted
      --policy <id>             Select a catalogue policy, added to --profile's (repeatable, or comma-separated)
      --exclude-policy <id>     Leave a policy out (repeatable, or comma-separated)
      --pss-version <version>   Pod Security Standards version: latest or v1.N (default: latest)
      --params <file>           YAML or JSON mapping policy id -> parameters,
                                e.g. restrict-image-registries: {registries: [registry.example.com/]}
      --enforcement <action>    audit, warn or enforce, for every selected policy (default: each policy's own,
                                audit for the catalogue)
      --config <file>           palisade.config.ts: policies (catalogue and your own), parameters, enforcement
                                and exceptions, instead of the flags above. A config file is a program: the CLI
                                executes its TypeScript, so only use one from a repository you trust.`;

/** The selection flags as `parseArgs` returns them. */
export interface SelectionFlags {
  profile?: string | undefined;
  policy?: string[] | undefined;
  'exclude-policy'?: string[] | undefined;
  'pss-version'?: string | undefined;
  params?: string | undefined;
  enforcement?: string | undefined;
  config?: string | undefined;
}

/** The selection asked for, checked for syntax but not yet loaded. */
export type SelectionRequest =
  | { kind: 'config'; file: string }
  | {
      kind: 'flags';
      profile: PssLevel | undefined;
      include: string[];
      exclude: string[];
      pssVersion: string;
      paramsFile: string | undefined;
      enforcement: Enforcement | undefined;
    };

/** What both commands work from: the policies with their parameters and enforcement, and where they came from. */
export interface Selection {
  policies: PolicyConfig[];
  /** The exceptions the configuration file lists (none for flags; `--exceptions` files are added by the caller). */
  exceptions: PolicyException[];
  pssVersion: string;
  /** The profile in force, after the default: it picks which fixtures become the generated test suites. */
  profile: PssLevel | undefined;
  /** Fixture folders of the configuration's own policies. */
  fixtureDirs: Map<string, string>;
  /** Problems that do not stop the run, e.g. parameters for a policy that is not selected. */
  warnings: string[];
}

const PROFILES: readonly PssLevel[] = ['baseline', 'restricted'];

/** Repeatable flags also take comma-separated lists. */
export function listFlag(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function parseSelection(values: SelectionFlags): SelectionRequest {
  if (values.config !== undefined) {
    const clash = CONFIG_REPLACES.filter((flag) => values[flag] !== undefined);
    if (clash.length > 0) {
      throw new UsageError(
        `--config cannot be combined with ${clash.map((f) => `--${f}`).join(', ')}: set them in the configuration file`,
      );
    }
    return { kind: 'config', file: values.config };
  }
  const profile = values.profile;
  if (profile !== undefined && !(PROFILES as readonly string[]).includes(profile)) {
    throw new UsageError(`invalid --profile "${profile}": use ${PROFILES.join(' or ')}`);
  }
  const pssVersion = values['pss-version'] ?? 'latest';
  try {
    parsePssVersion(pssVersion);
  } catch (error) {
    throw new UsageError(`invalid --pss-version: ${errorText(error)}`);
  }
  let enforcement: Enforcement | undefined;
  if (values.enforcement !== undefined) {
    const parsed = enforcementSchema.safeParse(values.enforcement);
    if (!parsed.success) {
      throw new UsageError(`invalid --enforcement "${values.enforcement}": use audit, warn or enforce`);
    }
    enforcement = parsed.data;
  }
  const include = listFlag(values.policy);
  const exclude = listFlag(values['exclude-policy']);
  const known = new Set(catalogue.map((p) => p.id));
  for (const id of [...include, ...exclude]) {
    if (!known.has(id)) throw new UsageError(`unknown policy "${id}"; run 'palisade policies' to list them`);
  }
  return {
    kind: 'flags',
    profile: profile as PssLevel | undefined,
    include,
    exclude,
    pssVersion,
    paramsFile: values.params,
    enforcement,
  };
}

function readParamsFile(file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--params ${file}: cannot read it: ${printable(errorText(error))}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`--params ${file}: must be a mapping of policy ids to parameter objects`);
  }
  return value as Record<string, unknown>;
}

function issues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * The one format of a parameter problem, whichever command and source: the source (`--params FILE` or
 * `--config FILE`), the policy id, what is wrong.
 */
function parameterError(source: string | undefined, id: string, problem: string): UsageError {
  const where = source === undefined ? '' : `${source}: `;
  const hint = source === undefined ? '; give them in a --params file' : '';
  return new UsageError(`${where}invalid parameters for policy "${id}": ${printable(problem)}${hint}`);
}

/**
 * Checks every parameter entry against its policy's schema, selected or not, so a mistake is reported with its
 * source rather than surfacing later from a backend; entries naming no policy are errors too.
 */
function checkParams(
  params: Readonly<Record<string, unknown>>,
  policies: readonly Policy[],
  source: string,
): void {
  const byId = new Map(policies.map((p) => [p.id, p]));
  for (const [id, value] of Object.entries(params)) {
    const policy = byId.get(id);
    if (!policy) {
      throw new UsageError(`${source}: names unknown policy "${id}"; run 'palisade policies' to list them`);
    }
    const parsed = policy.params.safeParse(value ?? {});
    if (!parsed.success) throw parameterError(source, id, issues(parsed.error));
  }
}

/** The profile `resolveConfig` starts from: the configuration's, else `restricted` when nothing else is selected. */
function effectiveProfile(config: PalisadeConfig): PssLevel | undefined {
  const nothingElse = (config.include ?? []).length === 0 && (config.policies ?? []).length === 0;
  return config.profile ?? (nothingElse ? 'restricted' : undefined);
}

function resolve(
  config: PalisadeConfig,
  source: string | undefined,
  paramsSource: string | undefined,
): Selection {
  const own = config.policies ?? [];
  checkParams(config.params ?? {}, [...catalogue, ...own], paramsSource ?? source ?? '--params');
  let policies: PolicyConfig[];
  try {
    policies = resolveConfig(config, catalogue);
  } catch (error) {
    const message = errorText(error);
    // Every given entry was checked above, so this is a selected policy whose parameters were not given.
    const missing = /^invalid parameters for policy (\S+): /.exec(message)?.[1];
    const policy = [...catalogue, ...own].find((p) => p.id === missing);
    const parsed = policy?.params.safeParse({});
    if (missing !== undefined && parsed?.success === false) {
      throw parameterError(paramsSource ?? source, missing, `none are given (${issues(parsed.error)})`);
    }
    const prefix = source === undefined ? '' : `${source}: `;
    const hint = /unknown policy/.test(message) ? "; run 'palisade policies' to list them" : '';
    throw new UsageError(`${prefix}${printable(message)}${hint}`);
  }
  const selected = new Set(policies.map((p) => p.policy.id));
  const warnings = Object.keys(config.params ?? {})
    .filter((id) => !selected.has(id))
    .map(
      (id) =>
        `${paramsSource ?? source ?? '--params'}: parameters for policy "${id}", which is not selected, are unused`,
    );
  return {
    policies,
    exceptions: [],
    pssVersion: config.pssVersion ?? 'latest',
    profile: effectiveProfile(config),
    fixtureDirs: new Map(),
    warnings,
  };
}

/** Loads what the request names (the `--params` file, or the configuration file) and resolves the selection. */
export async function resolveSelection(request: SelectionRequest, maxFileSize: number): Promise<Selection> {
  if (request.kind === 'config') {
    const loaded = await loadConfigFile(request.file, maxFileSize);
    const source = `--config ${request.file}`;
    return {
      ...resolve(loaded.config, source, undefined),
      exceptions: loaded.exceptions,
      fixtureDirs: loaded.fixtureDirs,
    };
  }
  const params = request.paramsFile === undefined ? {} : readParamsFile(request.paramsFile);
  const config: PalisadeConfig = {
    // Without --profile or --policy, the restricted profile: resolveConfig's default, as for a config file.
    ...(request.profile === undefined ? {} : { profile: request.profile }),
    pssVersion: request.pssVersion,
    include: request.include,
    exclude: request.exclude,
    params,
    // --enforcement is the config's per-policy enforcement, given for every policy there is.
    ...(request.enforcement === undefined
      ? {}
      : {
          enforcement: Object.fromEntries(catalogue.map((p) => [p.id, request.enforcement as Enforcement])),
        }),
  };
  return resolve(
    config,
    undefined,
    request.paramsFile === undefined ? undefined : `--params ${request.paramsFile}`,
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
