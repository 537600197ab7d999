import { TargetLimitError } from '@palisade/cel';
import {
  type EffectivePolicy,
  effectivePolicy,
  type PolicyConfig,
  type PolicyException,
  type PssLevel,
  profileProblems,
  type ResolutionContext,
  type Target,
  type TargetInput,
  type TargetOutput,
  targetInputOf,
} from '@palisade/core';
import { toManifestYaml as toYaml } from '@palisade/yaml';
import { exceptionNotes } from './exceptions.js';
import { checkVapLimits } from './limits.js';
import { type VapDocuments, vapDocuments } from './policy.js';

const kustomization = (resources: readonly string[]): string =>
  toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...resources] });

/**
 * The ValidatingAdmissionPolicy and binding of each policy, checked against the API server's limits (throws a
 * TargetLimitError over one), in id order. For callers installing them (tests, benches): `buildVap` writes them.
 */
export function vapObjects(
  policies: readonly (PolicyConfig | EffectivePolicy)[],
  context: ResolutionContext = {},
): ({ id: string } & VapDocuments)[] {
  return policies
    .map((config) => effectivePolicy(config, context))
    .sort((a, b) => (a.policy.id < b.policy.id ? -1 : 1))
    .map((policy) => {
      const documents = vapDocuments(policy);
      checkVapLimits(`policy ${policy.policy.id}`, documents.policy);
      checkVapLimits(`policy ${policy.policy.id}`, documents.binding);
      return { id: policy.policy.id, ...documents };
    });
}

/**
 * ValidatingAdmissionPolicy artefacts for a set of policies:
 * - `<id>/`: `policy.yaml` (the ValidatingAdmissionPolicy), `binding.yaml` (its binding), `kustomization.yaml`;
 * - `profiles/<level>/kustomization.yaml`: the policy folders of each Pod Security profile.
 * Relative path → content, byte-stable for the same input; what the output cannot express (an exception's expiry)
 * or leaves out is in `notes`.
 */
export function buildVap(input: TargetInput): TargetOutput {
  const files = new Map<string, string>();
  const notes = exceptionNotes(input.exceptions, input.policies, input.now);
  const generated = new Map<string, EffectivePolicy>();
  for (const policy of [...input.policies].sort((a, b) => (a.policy.id < b.policy.id ? -1 : 1))) {
    const id = policy.policy.id;
    if (generated.has(id)) throw new Error(`policy ${id} is configured twice`);
    let documents: VapDocuments;
    try {
      documents = vapDocuments(policy);
    } catch (error) {
      if (error instanceof TargetLimitError) throw error;
      notes.push(`${id}: not generated: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    // Over a limit, the API server refuses the policy or its CEL does not compile: the build fails instead.
    checkVapLimits(`policy ${id}`, documents.policy);
    checkVapLimits(`policy ${id}`, documents.binding);
    generated.set(id, policy);
    files.set(`${id}/policy.yaml`, toYaml(documents.policy));
    files.set(`${id}/binding.yaml`, toYaml(documents.binding));
    files.set(`${id}/kustomization.yaml`, kustomization(['policy.yaml', 'binding.yaml']));
  }
  for (const level of ['baseline', 'restricted'] as const) {
    const ids = input.profiles[level] ?? [];
    if (ids.length === 0) continue;
    notes.push(...profileProblems(level, ids, generated, input.pssVersion));
    const present = ids.filter((id) => generated.has(id)).sort();
    files.set(`profiles/${level}/kustomization.yaml`, kustomization(present.map((id) => `../../${id}`)));
  }
  return { files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), notes };
}

/** The `vap/` folder of `palisade build`: Kubernetes-native admission, no policy engine to install. */
export const vapTarget: Target = {
  name: 'vap',
  folder: 'vap',
  paths: [
    {
      path: '<id>/',
      description: 'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy, its binding, kustomization',
    },
    { path: 'profiles/<level>/', description: 'a kustomization per Pod Security profile' },
  ],
  build: buildVap,
};

export interface VapOutputInput {
  policies: readonly PolicyConfig[];
  exceptions: readonly PolicyException[];
  /** Policy ids per Pod Security profile. @default the profiles' policies among `policies` */
  profiles?: Partial<Record<PssLevel, readonly string[]>>;
  /** The PSS version profiles are resolved at. @default 'latest' */
  profileVersion?: string;
  /** The clock deciding which exceptions have expired. @default new Date() */
  now?: Date;
}

/** `buildVap` for callers holding configurations: resolves them first (`palisade build` uses `vapTarget`). */
export function buildVapOutput(input: VapOutputInput): TargetOutput {
  return buildVap(targetInputOf(input, 'buildVapOutput'));
}
