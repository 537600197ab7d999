import {
  type PolicyConfig,
  type PolicyException,
  type PssLevel,
  profileProblems,
  type Target,
  type TargetInput,
  type TargetOutput,
  targetInputOf,
} from '@palisade/core';
import { clusterPolicy } from './cluster-policy.js';
import { buildExceptions, exceptionResourceName } from './exceptions.js';
import { kustomization, type PolicyFolder, profileKustomizations } from './kustomize.js';
import { checkKyvernoLimits, TargetLimitError } from './limits.js';
import { KUBERNETES_VERSION, KYVERNO_VERSION, type Versions } from './metadata.js';
import { type PolicyKind, testFolder } from './test-folder.js';
import { validatingPolicy } from './validating-policy.js';
import { toYaml } from './yaml.js';

/**
 * Kyverno artefacts for a set of policies:
 * - `cluster-policies/<id>/` and `validating-policies/<id>/`: `policy.yaml`, `kustomization.yaml`, and, with
 *   fixtures, `kyverno-test.yaml` and `resources.yaml`;
 * - `exceptions/cluster-policies/` (kyverno.io/v2) and `exceptions/validating-policies/` (policies.kyverno.io/v1);
 * - `profiles/<level>/cluster-policies/kustomization.yaml` and `profiles/<level>/validating-policies/…`.
 * Relative path → file content, byte-stable for the same input (sorted keys, no timestamps); what the output
 * could not express, or left out, is in `notes`, never silently dropped.
 */
export function buildKyverno(input: TargetInput, versions: Partial<Versions> = {}): TargetOutput {
  const now = input.now;
  const resolvedVersions: Versions = {
    kyvernoVersion: versions.kyvernoVersion ?? KYVERNO_VERSION,
    kubernetesVersion: versions.kubernetesVersion ?? KUBERNETES_VERSION,
  };
  const exceptions = buildExceptions(input.exceptions, input.policies, now);
  const files = new Map<string, string>();
  const problems = [...exceptions.problems];

  const folders: Record<PolicyKind, { dir: PolicyFolder; exceptionDir: string; docs: Map<string, unknown> }> =
    {
      ClusterPolicy: {
        dir: 'cluster-policies',
        exceptionDir: 'exceptions/cluster-policies',
        docs: exceptions.cluster,
      },
      ValidatingPolicy: {
        dir: 'validating-policies',
        exceptionDir: 'exceptions/validating-policies',
        docs: exceptions.validating,
      },
    };
  for (const { exceptionDir, docs } of Object.values(folders)) {
    const names = [...docs.keys()].sort();
    for (const name of names)
      checkKyvernoLimits(`exception ${name}`, docs.get(name) as Record<string, unknown>);
    for (const name of names) files.set(`${exceptionDir}/${name}.yaml`, toYaml(docs.get(name)));
    if (names.length > 0)
      files.set(`${exceptionDir}/kustomization.yaml`, kustomization(names.map((n) => `${n}.yaml`)));
  }

  for (const config of [...input.policies].sort((a, b) => (a.policy.id < b.policy.id ? -1 : 1))) {
    const id = config.policy.id;
    let docs: Record<PolicyKind, Record<string, unknown>>;
    try {
      docs = {
        ClusterPolicy: clusterPolicy(config, resolvedVersions, exceptions.clusterExemptImages.get(id)),
        ValidatingPolicy: validatingPolicy(
          config,
          resolvedVersions,
          exceptions.imageExceptionPolicies.has(id),
        ),
      };
    } catch (error) {
      if (error instanceof TargetLimitError) throw error;
      problems.push(`${id}: not generated: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    // Over a limit, the cluster refuses the policy or it fails every object: the build fails instead.
    for (const doc of Object.values(docs)) checkKyvernoLimits(`policy ${id}`, doc);
    const covering = config.exceptions.live;
    for (const kind of ['ClusterPolicy', 'ValidatingPolicy'] as const) {
      const { dir, exceptionDir, docs: exceptionDocs } = folders[kind];
      files.set(`${dir}/${id}/policy.yaml`, toYaml(docs[kind]));
      files.set(`${dir}/${id}/kustomization.yaml`, kustomization(['policy.yaml']));
      const fixtures = input.fixtures(id);
      if (fixtures.length === 0) continue;
      const exceptionFiles = covering
        .map((e) => exceptionResourceName(e.name))
        .filter((name) => exceptionDocs.has(name))
        .map((name) => `../../${exceptionDir}/${name}.yaml`)
        .sort();
      const folder = testFolder(id, kind, fixtures, { files: exceptionFiles }, input.oracle);
      problems.push(...folder.problems.map((p) => `${kind} ${p}`));
      for (const [name, content] of folder.files) files.set(`${dir}/${id}/${name}`, content);
    }
  }
  const generated = new Set(
    input.policies.map((c) => c.policy.id).filter((id) => files.has(`cluster-policies/${id}/policy.yaml`)),
  );
  const configs = new Map(
    input.policies.filter((c) => generated.has(c.policy.id)).map((c) => [c.policy.id, c]),
  );
  const profiles: Partial<Record<PssLevel, readonly string[]>> = {};
  for (const level of ['baseline', 'restricted'] as const) {
    const ids = input.profiles[level] ?? [];
    problems.push(...profileProblems(level, ids, configs, input.pssVersion));
    const present = ids.filter((id) => generated.has(id));
    if (present.length > 0) profiles[level] = present;
  }
  for (const folder of ['cluster-policies', 'validating-policies'] as const) {
    for (const [path, content] of profileKustomizations(profiles, folder)) files.set(path, content);
  }
  return { files: new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))), notes: problems };
}

/** The `kyverno/` folder of `palisade build`, for the Kyverno release the output is proven against. */
export const kyvernoTarget: Target = {
  name: 'kyverno',
  folder: 'kyverno',
  paths: [
    {
      path: 'cluster-policies/<id>/',
      description: 'kyverno.io/v1 ClusterPolicy, kustomization, kyverno-test.yaml and resources',
    },
    {
      path: 'validating-policies/<id>/',
      description: 'policies.kyverno.io/v1 ValidatingPolicy, the same test files',
    },
    { path: 'exceptions/…', description: 'the exceptions as Kyverno PolicyExceptions (both API versions)' },
    { path: 'profiles/<level>/<kind>/', description: 'a kustomization per profile and policy kind' },
  ],
  build: (input) =>
    buildKyverno(input, { kyvernoVersion: KYVERNO_VERSION, kubernetesVersion: KUBERNETES_VERSION }),
};

export interface KyvernoOutputInput extends Partial<Versions> {
  policies: readonly PolicyConfig[];
  exceptions: readonly PolicyException[];
  /** Policy ids per Pod Security profile. @default the profiles' policies among `policies` */
  profiles?: Partial<Record<PssLevel, readonly string[]>>;
  /** The PSS version profiles are resolved at. @default 'latest' */
  profileVersion?: string;
  /** The clock deciding which exceptions have expired. @default new Date() */
  now?: Date;
}

/**
 * `buildKyverno` for callers holding configurations and no fixtures (so no kyverno tests): resolves them first.
 * `palisade build` goes through `kyvernoTarget` instead, with fixtures judged by the validator.
 */
export function buildKyvernoOutput(input: KyvernoOutputInput): {
  files: Map<string, string>;
  problems: string[];
} {
  const { files, notes } = buildKyverno(targetInputOf(input, 'buildKyvernoOutput'), input);
  return { files, problems: notes };
}
