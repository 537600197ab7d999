import { z } from 'zod';
import { parsePolicyParams } from './effective.js';
import { type Enforcement, enforcementSchema, type Policy, type PssLevel } from './policy.js';
import { type PolicyConfig, selectPolicies } from './profiles.js';
import { parsePssVersion } from './pss-version.js';

/**
 * A project's Palisade configuration (`palisade.config.ts`): which catalogue policies it runs, its own policies,
 * parameter values and enforcement per policy, and its exception files. Everything but `policies` is plain data,
 * so the same file drives `palisade build` for every target and `palisade validate`.
 */
export interface PalisadeConfig {
  /**
   * The Pod Security Standards profile to start from.
   * @default 'restricted' when neither `profile` nor `include` nor `policies` is given, else none
   */
  profile?: PssLevel;
  /** The PSS version profiles are resolved at: `latest` or `v1.N`. @default 'latest' */
  pssVersion?: string;
  /** Catalogue policy ids to add to the profile. */
  include?: readonly string[];
  /** Policy ids to leave out (catalogue or the project's own). */
  exclude?: readonly string[];
  /** The project's own policies, made with `definePolicy`; always selected unless excluded. */
  policies?: readonly Policy[];
  /** Parameter values per policy id, checked against each policy's zod schema. */
  params?: Readonly<Record<string, unknown>>;
  /** Enforcement per policy id, overriding the policy's own (`audit` unless it says otherwise). */
  enforcement?: Readonly<Record<string, Enforcement>>;
  /** Files of `PolicyException` documents, relative to the configuration file. */
  exceptions?: readonly string[];
  /**
   * Per policy id of the project's own policies, the folder holding its `fixtures/allowed` and `fixtures/denied`
   * (relative to the configuration file); they become the generated engine test suites.
   */
  fixtures?: Readonly<Record<string, string>>;
}

const idSchema = z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a kebab-case policy id');

/** The data part of a configuration (everything but the policy objects, which are checked by shape). */
export const configSchema = z
  .object({
    profile: z.enum(['baseline', 'restricted']).optional(),
    pssVersion: z.string().optional(),
    include: z.array(idSchema).optional(),
    exclude: z.array(idSchema).optional(),
    policies: z
      .array(
        z.custom<Policy>(
          (p) => typeof p === 'object' && p !== null && 'id' in p && 'params' in p && 'match' in p,
          'must be a policy made with definePolicy',
        ),
      )
      .optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    enforcement: z.record(z.string(), enforcementSchema).optional(),
    exceptions: z.array(z.string().min(1)).optional(),
    fixtures: z.record(z.string(), z.string().min(1)).optional(),
  })
  .strict();

/** Types a configuration file's default export; it returns its argument unchanged. */
export function defineConfig(config: PalisadeConfig): PalisadeConfig {
  return config;
}

/**
 * The policies a configuration selects, each with its parameters and enforcement: what every backend compiles.
 * Throws an Error naming the problem (unknown ids, an id used twice, parameters that do not fit a policy).
 */
export function resolveConfig(config: PalisadeConfig, catalogue: readonly Policy[]): PolicyConfig[] {
  const parsed = configSchema.safeParse(config);
  if (!parsed.success) throw new Error(`invalid configuration: ${z.prettifyError(parsed.error)}`);
  const own = config.policies ?? [];
  const catalogueIds = new Set(catalogue.map((p) => p.id));
  const seen = new Set<string>();
  for (const policy of own) {
    if (catalogueIds.has(policy.id)) {
      throw new Error(`policy "${policy.id}" is already in the catalogue; give your policy another id`);
    }
    if (seen.has(policy.id)) throw new Error(`policy "${policy.id}" is defined twice`);
    seen.add(policy.id);
  }
  const version = config.pssVersion ?? 'latest';
  parsePssVersion(version);
  const include = [...(config.include ?? []), ...own.map((p) => p.id)];
  const profile = config.profile ?? (include.length === 0 ? 'restricted' : undefined);
  const selected = selectPolicies([...catalogue, ...own], {
    ...(profile ? { profile } : {}),
    include,
    exclude: [...(config.exclude ?? [])],
    version,
  });
  const known = new Set([...catalogueIds, ...seen]);
  for (const [kind, record] of [
    ['params', config.params],
    ['enforcement', config.enforcement],
  ] as const) {
    for (const id of Object.keys(record ?? {})) {
      if (!known.has(id)) throw new Error(`${kind} names unknown policy "${id}"`);
    }
  }
  return selected.map((resolved) => {
    const id = resolved.policy.id;
    const params = config.params?.[id];
    parsePolicyParams(resolved.policy, params);
    const enforcement = config.enforcement?.[id];
    return {
      ...resolved,
      ...(params === undefined ? {} : { params }),
      ...(enforcement === undefined ? {} : { enforcement }),
    };
  });
}
