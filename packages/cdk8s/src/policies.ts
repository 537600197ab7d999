import {
  type Enforcement,
  matchedKinds,
  type PolicyConfig,
  type PssLevel,
  parsePssVersion,
  type ResolvedPolicy,
  selectPolicies,
} from '@palisade/core';
import { catalogue, hardeningPolicies } from '@palisade/policies';
import { Validator } from '@palisade/validator';

/**
 * The catalogue ids, as types, so `relax` entries are checked by the compiler. A test keeps these lists equal to
 * the catalogue: a policy added there without being added here fails the suite rather than going unrelaxable.
 */
export const PSS_POLICY_IDS = [
  'disallow-host-process',
  'disallow-host-namespaces',
  'disallow-privileged-containers',
  'disallow-capabilities',
  'disallow-host-path',
  'disallow-host-ports',
  'disallow-host-probes',
  'restrict-apparmor-profiles',
  'disallow-selinux',
  'disallow-proc-mount',
  'restrict-seccomp',
  'restrict-sysctls',
  'restrict-volume-types',
  'disallow-privilege-escalation',
  'require-run-as-nonroot',
  'require-run-as-non-root-user',
  'restrict-seccomp-strict',
  'disallow-capabilities-strict',
] as const;

export const HARDENING_POLICY_IDS = [
  'disallow-latest-tag',
  'restrict-image-registries',
  'require-image-digest',
  'require-requests-limits',
  'require-probes',
  'require-ro-rootfs',
  'disallow-service-account-token-automount',
  'require-runtime-class',
  'disallow-default-namespace',
  'restrict-node-port',
  'restrict-service-external-ips',
] as const;

export type PssPolicyId = (typeof PSS_POLICY_IDS)[number];
export type HardeningPolicyId = (typeof HARDENING_POLICY_IDS)[number];
export type PolicyId = PssPolicyId | HardeningPolicyId;

/** Policies a Pod or pod template can break: every PSS policy and the Pod-matching hardening policies. */
export type PodPolicyId =
  | PssPolicyId
  | 'disallow-latest-tag'
  | 'restrict-image-registries'
  | 'require-image-digest'
  | 'require-requests-limits'
  | 'require-probes'
  | 'require-ro-rootfs'
  | 'disallow-service-account-token-automount'
  | 'require-runtime-class'
  | 'disallow-default-namespace';

/** Jobs and CronJobs run to completion: `require-probes` does not apply to them, so it cannot be relaxed there. */
export type BatchPolicyId = Exclude<PodPolicyId, 'require-probes'>;

export type ServicePolicyId =
  | 'restrict-node-port'
  | 'restrict-service-external-ips'
  | 'disallow-default-namespace';
export type ServiceAccountPolicyId =
  | 'disallow-service-account-token-automount'
  | 'disallow-default-namespace';
export type NetworkPolicyPolicyId = 'disallow-default-namespace';

/** What the validator needs to evaluate the selected policies, beyond the catalogue defaults. */
export interface PolicyParameters {
  /** `restrict-image-registries` `registries`: allowed image prefixes. */
  readonly allowedRegistries?: readonly string[] | undefined;
  /** `require-runtime-class` `runtimeClasses`: allowed RuntimeClass names. */
  readonly runtimeClasses?: readonly string[] | undefined;
}

export interface PolicySelection extends PolicyParameters {
  /** @default 'restricted' */
  readonly profile?: PssLevel | undefined;
  /** Add every hardening policy (NSA/CISA, CIS). @default true */
  readonly hardening?: boolean | undefined;
  /** Extra catalogue policies by id. */
  readonly include?: readonly string[] | undefined;
  /** Catalogue policies to leave out by id. */
  readonly exclude?: readonly string[] | undefined;
  /** The Pod Security Standards version the profile is resolved at. @default 'latest' */
  readonly pssVersion?: string | undefined;
}

/**
 * Parameters of the catalogue policies that have no default. Returns undefined for other policies, so their zod
 * defaults apply (the "default parameters" the constructs are built to pass).
 */
function paramsFor(resolved: ResolvedPolicy, parameters: PolicyParameters): unknown {
  switch (resolved.policy.id) {
    case 'restrict-image-registries':
      if (!parameters.allowedRegistries || parameters.allowedRegistries.length === 0) {
        throw new Error(
          'policy restrict-image-registries needs the allowed registries: set allowedRegistries (e.g. ' +
            '["registry.example.com/"]), or exclude the policy',
        );
      }
      return { registries: [...parameters.allowedRegistries] };
    case 'require-runtime-class':
      if (!parameters.runtimeClasses || parameters.runtimeClasses.length === 0) {
        throw new Error(
          'policy require-runtime-class needs the allowed RuntimeClasses: set runtimeClasses (e.g. ["gvisor"]), ' +
            'or exclude the policy',
        );
      }
      return { runtimeClasses: [...parameters.runtimeClasses] };
    default:
      return undefined;
  }
}

/** Resolves a selection against the catalogue into what the validator compiles. */
export function policyConfigs(selection: PolicySelection): PolicyConfig[] {
  const include = [
    ...(selection.hardening === false ? [] : hardeningPolicies.map((p) => p.id)),
    ...(selection.include ?? []),
  ];
  const resolved = selectPolicies(catalogue, {
    profile: selection.profile ?? 'restricted',
    include,
    exclude: selection.exclude,
    version: selection.pssVersion ?? 'latest',
  });
  return resolved.map((r) => {
    const params = paramsFor(r, selection);
    return params === undefined ? r : { ...r, params };
  });
}

/**
 * What a construct checks its own output with. `required` are the restricted profile and hardening policies that
 * apply to the kind: each one the output breaks must be relaxed by name. `impliedBy` maps a restricted policy to
 * the baseline policies it replaces in the restricted profile (e.g. `restrict-volume-types` replaces
 * `disallow-host-path`): those are evaluated too, and an exception for the restricted policy also covers them, so
 * a workload excepted at restricted is excepted at baseline as well.
 */
export interface ConstructPolicies {
  readonly validator: Validator;
  readonly required: ReadonlySet<string>;
  readonly impliedBy: ReadonlyMap<string, readonly string[]>;
}

/** For each restricted check in force at `version`, the baseline policies it replaces. */
function overridesAt(version: string): Map<string, string[]> {
  const minor = parsePssVersion(version).minor;
  const out = new Map<string, string[]>();
  for (const policy of catalogue) {
    for (const control of policy.pss ?? []) {
      if (control.level !== 'restricted') continue;
      const active = control.revisions.filter((r) => parsePssVersion(r.since).minor <= minor).at(-1);
      if (active?.overrides?.length) out.set(policy.id, [...active.overrides]);
    }
  }
  return out;
}

const constructPolicies = new Map<string, ConstructPolicies>();

/**
 * The policies a construct checks its own output with: the restricted profile plus every hardening policy that
 * applies to `kind`, and the baseline policies restricted replaces. Policies that cannot match the kind are left
 * out, so a ServiceAccount or a NetworkPolicy needs no image or runtime-class parameters. Cached: constructs are
 * many, the selection rarely differs.
 */
export function constructPoliciesFor(
  kind: string,
  pssVersion: string,
  parameters: PolicyParameters,
): ConstructPolicies {
  const key = JSON.stringify([kind, pssVersion, parameters.allowedRegistries, parameters.runtimeClasses]);
  let found = constructPolicies.get(key);
  if (!found) {
    const overrides = overridesAt(pssVersion);
    const appliesToKind = (r: ResolvedPolicy) => matchedKinds(r.policy.match).includes(kind);
    const required = selectPolicies(catalogue, {
      profile: 'restricted',
      include: hardeningPolicies.map((p) => p.id),
      version: pssVersion,
    }).filter(appliesToKind);
    const requiredIds = new Set(required.map((r) => r.policy.id));
    const impliedBy = new Map<string, string[]>();
    const implied: ResolvedPolicy[] = [];
    for (const [restricted, replaced] of overrides) {
      if (!requiredIds.has(restricted)) continue;
      const extra = selectPolicies(catalogue, { include: replaced, version: pssVersion }).filter(
        appliesToKind,
      );
      impliedBy.set(
        restricted,
        extra.map((r) => r.policy.id),
      );
      implied.push(...extra);
    }
    const policies = [...required, ...implied].map((r) => {
      const params = paramsFor(r, parameters);
      // A construct's check always fails on a violation, whatever enforcement a cluster later uses.
      const enforcement: Enforcement = 'enforce';
      return params === undefined ? { ...r, enforcement } : { ...r, params, enforcement };
    });
    found = { validator: new Validator({ policies }), required: requiredIds, impliedBy };
    constructPolicies.set(key, found);
  }
  return found;
}
