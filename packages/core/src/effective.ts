import { z } from 'zod';
import { exceptionCoversPolicy, isExpired, type PolicyException } from './exceptions.js';
import type { Rule } from './ir.js';
import type { Match } from './match.js';
import type { Enforcement, Policy } from './policy.js';
import { type PolicyConfig, profilePolicyIds } from './profiles.js';
import type { TargetInput } from './target.js';

/**
 * A configured policy with everything a target or the validator reads already decided, once, the same way for
 * all of them: the effective match and enforcement, the parameters parsed and defaulted by the policy's schema,
 * and the exceptions that cover it, split by expiry at the build's clock.
 */
export interface EffectivePolicy {
  policy: Policy;
  rule: Rule;
  /** The upstream check this rule reproduces, for PSS policies. */
  pssCheck?: string;
  /** The configuration's match, else the policy's. */
  match: Match;
  /** The configuration's enforcement, else the policy's. */
  enforcement: Enforcement;
  /** Parsed by the policy's schema, defaults applied. */
  params: Readonly<Record<string, unknown>>;
  /** The exceptions naming this policy (or `*`), split at `now`: expired ones apply nowhere. */
  exceptions: { live: readonly PolicyException[]; expired: readonly PolicyException[] };
  /** The PSS version the rule was resolved at (`latest` or `v1.N`). */
  pssVersion: string;
}

/** What the compilers read of a policy: its rule and match, and its names for comments. */
export type CompilablePolicy = Pick<EffectivePolicy, 'policy' | 'rule' | 'pssCheck' | 'match'>;

/** Parameters that do not fit a policy's schema. The message names the policy, on one line. */
export class InvalidParametersError extends Error {}

/** The one parameter check: the policy's zod schema, defaults applied; `undefined` means none given. */
export function parsePolicyParams(policy: Policy, value: unknown): Record<string, unknown> {
  const parsed = policy.params.safeParse(value ?? {});
  if (!parsed.success) {
    throw new InvalidParametersError(
      `invalid parameters for policy ${policy.id}: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`,
    );
  }
  return parsed.data as Record<string, unknown>;
}

export interface ResolutionContext {
  /** Every exception of the build; each policy keeps those that cover it. @default none */
  exceptions?: readonly PolicyException[];
  /** The clock for exception expiry. @default new Date() */
  now?: Date;
  /** @default 'latest' */
  pssVersion?: string;
}

/** Whether `config` was already resolved (resolution is idempotent, so builders accept either). */
export function isEffectivePolicy(config: PolicyConfig | EffectivePolicy): config is EffectivePolicy {
  return 'pssVersion' in config && 'exceptions' in config && !Array.isArray(config.exceptions);
}

/** Resolves one configured policy (returns it unchanged when it is already an EffectivePolicy). */
export function effectivePolicy(
  config: PolicyConfig | EffectivePolicy,
  context: ResolutionContext = {},
): EffectivePolicy {
  if (isEffectivePolicy(config)) return config;
  const now = context.now ?? new Date();
  const covering = (context.exceptions ?? []).filter((e) => exceptionCoversPolicy(e, config.policy.id));
  return {
    policy: config.policy,
    rule: config.rule,
    ...(config.pssCheck === undefined ? {} : { pssCheck: config.pssCheck }),
    match: config.match ?? config.policy.match,
    enforcement: config.enforcement ?? config.policy.enforcement,
    params: parsePolicyParams(config.policy, config.params),
    exceptions: {
      live: covering.filter((e) => !isExpired(e, now)),
      expired: covering.filter((e) => isExpired(e, now)),
    },
    pssVersion: context.pssVersion ?? 'latest',
  };
}

/** Resolves every configured policy of a build; a policy configured twice is an error. */
export function resolveTargetPolicies(
  configs: readonly (PolicyConfig | EffectivePolicy)[],
  context: ResolutionContext = {},
): EffectivePolicy[] {
  const seen = new Set<string>();
  const now = context.now ?? new Date();
  return configs.map((config) => {
    const id = config.policy.id;
    if (seen.has(id)) throw new Error(`policy ${id} is configured twice`);
    seen.add(id);
    return effectivePolicy(config, { ...context, now });
  });
}

/** Policy ids per Pod Security profile among `policies`, at `version`: the default profile folders. */
export function profileIdsOf(
  policies: readonly Pick<EffectivePolicy, 'policy'>[],
  version: string,
): Record<'baseline' | 'restricted', string[]> {
  const all = policies.map((p) => p.policy);
  return {
    baseline: profilePolicyIds('baseline', all, version),
    restricted: profilePolicyIds('restricted', all, version),
  };
}

/** What a build from plain configurations needs: `targetInputOf` resolves it into a target's input. */
export interface ConfiguredBuild {
  policies: readonly PolicyConfig[];
  exceptions: readonly PolicyException[];
  /** A policy's fixtures with their verdicts. @default none (no generated tests) */
  fixtures?: TargetInput['fixtures'];
  /** Policy ids per Pod Security profile. @default the profiles' policies among `policies` (profileIdsOf) */
  profiles?: TargetInput['profiles'];
  /** The PSS version policies and profiles are resolved at. @default 'latest' */
  profileVersion?: string;
  /** The clock of exception expiry. @default new Date() */
  now?: Date;
}

/**
 * A target's input from plain configurations, for callers outside `palisade build` (the differentials, the cdk8s
 * example): resolved as the CLI resolves them. It carries no oracle, so a target that needs one fails loudly.
 */
export function targetInputOf(build: ConfiguredBuild, caller: string): TargetInput {
  const now = build.now ?? new Date();
  const pssVersion = build.profileVersion ?? 'latest';
  const policies = resolveTargetPolicies(build.policies, { exceptions: build.exceptions, now, pssVersion });
  return {
    policies,
    exceptions: build.exceptions,
    pssVersion,
    profiles: build.profiles ?? profileIdsOf(policies, pssVersion),
    fixtures: build.fixtures ?? (() => []),
    oracle: () => {
      throw new Error(`${caller} has no oracle: pass fixtures with their verdicts`);
    },
    now,
  };
}
