import type { Rule } from './ir.js';
import type { Match } from './match.js';
import type { Enforcement, Policy, PssControl, PssLevel, PssRevision } from './policy.js';
import { type PssVersion, parsePssVersion } from './pss-version.js';

/** A policy with the one rule that applies at a given level and version. */
export interface ResolvedPolicy {
  policy: Policy;
  rule: Rule;
  /** The upstream check this rule reproduces, for PSS policies. */
  pssCheck?: string;
}

/** A resolved policy plus the user's configuration of it: what every backend compiles. */
export interface PolicyConfig extends ResolvedPolicy {
  /** Parameter values; validated and defaulted by the policy's zod schema. */
  params?: unknown;
  enforcement?: Enforcement;
  match?: Match;
}

const levelRank: Record<PssLevel, number> = { baseline: 0, restricted: 1 };

function activeRevision(control: PssControl, version: PssVersion): PssRevision | undefined {
  let active: PssRevision | undefined;
  for (const revision of control.revisions) {
    if (parsePssVersion(revision.since).minor <= version.minor) active = revision;
  }
  return active;
}

/**
 * The PSS policies in force for a level and version, resolved exactly as Pod Security Admission resolves checks:
 * every check at or below the level takes its newest revision at or below the version; restricted revisions
 * replace the baseline checks they override.
 */
export function resolveProfile(
  level: PssLevel,
  version: PssVersion | string,
  policies: readonly Policy[],
): ResolvedPolicy[] {
  const v = typeof version === 'string' ? parsePssVersion(version) : version;
  const candidates: { policy: Policy; control: PssControl; revision: PssRevision }[] = [];
  const overridden = new Set<string>();
  for (const policy of policies) {
    for (const control of policy.pss ?? []) {
      if (levelRank[control.level] > levelRank[level]) continue;
      const revision = activeRevision(control, v);
      if (!revision) continue;
      candidates.push({ policy, control, revision });
      if (control.level === 'restricted') for (const id of revision.overrides ?? []) overridden.add(id);
    }
  }
  return candidates
    .filter((c) => !(c.control.level === 'baseline' && level === 'restricted' && overridden.has(c.policy.id)))
    .map((c) => ({ policy: c.policy, rule: c.revision.rule, pssCheck: c.control.check }));
}

/**
 * The rule of a single policy outside a profile: its own rule, or for a PSS policy the revision of its
 * lowest-level check in force at `version`. Undefined when the check does not exist yet at that version.
 */
export function resolvePolicy(
  policy: Policy,
  version: PssVersion | string = 'latest',
): ResolvedPolicy | undefined {
  if (policy.rule) return { policy, rule: policy.rule };
  const v = typeof version === 'string' ? parsePssVersion(version) : version;
  const controls = [...(policy.pss ?? [])].sort((a, b) => levelRank[a.level] - levelRank[b.level]);
  const control = controls[0];
  if (!control) return undefined;
  const revision = activeRevision(control, v);
  return revision ? { policy, rule: revision.rule, pssCheck: control.check } : undefined;
}

/** The ids of the policies in a Pod Security profile at a version, as `resolveProfile` selects them. */
export function profilePolicyIds(
  profile: PssLevel,
  policies: readonly Policy[],
  version: PssVersion | string = 'latest',
): string[] {
  return [...new Set(resolveProfile(profile, version, policies).map((r) => r.policy.id))];
}

/** The lowest PSS level a policy belongs to, if it reproduces a PSS check. */
export function pssLevelOf(policy: Policy): PssLevel | undefined {
  const levels = (policy.pss ?? []).map((c) => c.level);
  if (levels.length === 0) return undefined;
  return levels.includes('baseline') ? 'baseline' : 'restricted';
}

export interface Selection {
  /** A PSS profile: its policies resolved at `version`. */
  profile?: PssLevel | undefined;
  /** Extra policies by id (outside a profile, PSS policies use their own level). */
  include?: readonly string[] | undefined;
  exclude?: readonly string[] | undefined;
  /** @default 'latest' */
  version?: PssVersion | string | undefined;
}

/** Picks policies from a catalogue by profile and ids. Unknown ids are an error, never silently ignored. */
export function selectPolicies(catalogue: readonly Policy[], selection: Selection): ResolvedPolicy[] {
  const byId = new Map(catalogue.map((p) => [p.id, p]));
  for (const id of [...(selection.include ?? []), ...(selection.exclude ?? [])]) {
    if (!byId.has(id)) throw new Error(`unknown policy "${id}"`);
  }
  const version = selection.version ?? 'latest';
  const chosen = selection.profile ? resolveProfile(selection.profile, version, catalogue) : [];
  for (const id of selection.include ?? []) {
    if (chosen.some((r) => r.policy.id === id)) continue;
    const resolved = resolvePolicy(byId.get(id) as Policy, version);
    if (resolved) chosen.push(resolved);
  }
  const excluded = new Set(selection.exclude ?? []);
  return chosen.filter((r) => !excluded.has(r.policy.id));
}

/**
 * Problems with pointing a profile at the generated policy directories: a policy missing from the output, or one
 * generated from another rule than the profile uses (e.g. disallow-proc-mount resolves differently at baseline
 * and restricted, but has one directory).
 */
export function profileProblems(
  profile: PssLevel,
  ids: readonly string[],
  configs: ReadonlyMap<string, PolicyConfig>,
  version: PssVersion | string,
): string[] {
  const problems: string[] = [];
  const resolved = resolveProfile(
    profile,
    version,
    [...configs.values()].map((c) => c.policy),
  );
  for (const id of ids) {
    const config = configs.get(id);
    if (!config) {
      problems.push(`profile ${profile}: policy ${id} is not among the generated policies`);
      continue;
    }
    const wanted = resolved.find((r) => r.policy.id === id);
    if (wanted && JSON.stringify(wanted.rule) !== JSON.stringify(config.rule)) {
      problems.push(
        `profile ${profile}: policy ${id} is generated from ${config.pssCheck ?? 'its own rule'}, but the profile uses ${wanted.pssCheck ?? 'another rule'}`,
      );
    }
  }
  return problems;
}
