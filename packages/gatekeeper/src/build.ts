import {
  type EffectivePolicy,
  type PolicyConfig,
  type PolicyException,
  type PssLevel,
  type Target,
  type TargetFixture,
  type TargetInput,
  type TargetOutput,
  targetInputOf,
} from '@palisade/core';
import { toManifestYaml as toYaml } from '@palisade/yaml';
import { buildConstraint } from './constraint.js';
import { type CelCompiler, codeEntries, ENGINES, type Engine } from './engines.js';
import { constraintExceptions } from './exceptions.js';
import { checkGatekeeperLimits } from './limits.js';
import { kustomization, PROFILES, profileProblems } from './profiles.js';
import { parametersSchema } from './schema.js';
import { buildSuite } from './suite.js';
import { buildTemplate } from './template.js';

/** Knobs of the Gatekeeper output beyond the common target input (tests and differentials use them). */
export interface GatekeeperOptions {
  /** The engines every template carries (one engine alone proves that engine in gator). @default both */
  engines?: readonly Engine[];
  /** Replaces the K8sNativeValidation compiler (`celCode`, from `@palisade/cel`). */
  cel?: CelCompiler;
  /** `metadata.gatekeeper.sh/version` of every template. @default '1.0.0' */
  version?: string;
}

/** Generates one directory per policy and one kustomization per profile. Output depends only on the input. */
export function buildGatekeeper(input: TargetInput, options: GatekeeperOptions = {}): TargetOutput {
  const engines = options.engines ?? ENGINES;
  const version = options.version ?? '1.0.0';
  const files = new Map<string, string>();
  const notes: string[] = [];
  const configs = new Map<string, EffectivePolicy>();

  for (const policy of input.policies) {
    const id = policy.policy.id;
    if (configs.has(id)) throw new Error(`policy ${id} is configured twice`);
    configs.set(id, policy);
    const exceptions = constraintExceptions(policy);
    notes.push(...exceptions.problems);
    const template = buildTemplate({
      config: policy,
      code: codeEntries(policy, engines, options.cel),
      parameters: parametersSchema(policy.policy.params, id, notes),
      version,
    });
    const constraint = buildConstraint({
      policyId: id,
      match: policy.match,
      enforcement: policy.enforcement,
      params: { ...policy.params },
      exceptions,
      problems: notes,
    });
    // Over a limit, the cluster refuses the object or its CEL does not compile: the build fails instead.
    checkGatekeeperLimits(id, template);
    checkGatekeeperLimits(id, constraint);
    // The suite asserts the oracle's verdicts, which apply every live exception: all of them are in the constraint.
    const suite = buildSuite(id, input.fixtures(id));
    notes.push(...suite.problems);
    files.set(`${id}/template.yaml`, toYaml(template));
    files.set(`${id}/constraint.yaml`, toYaml(constraint));
    files.set(`${id}/kustomization.yaml`, toYaml(kustomization(['template.yaml', 'constraint.yaml'])));
    files.set(`${id}/suite.yaml`, toYaml(suite.suite));
    for (const [path, object] of suite.samples) files.set(`${id}/${path}`, toYaml(object));
  }

  for (const profile of PROFILES) {
    const ids = input.profiles[profile] ?? [];
    if (ids.length === 0) continue;
    notes.push(...profileProblems(profile, ids, configs, input.pssVersion));
    const present = ids.filter((id) => configs.has(id)).sort();
    files.set(
      `profiles/${profile}/kustomization.yaml`,
      toYaml(kustomization(present.map((id) => `../../${id}`))),
    );
  }

  const sorted = new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { files: sorted, notes };
}

/** The `gatekeeper/` folder of `palisade build`. */
export const gatekeeperTarget: Target = {
  name: 'gatekeeper',
  folder: 'gatekeeper',
  paths: [
    {
      path: '<id>/',
      description: 'ConstraintTemplate (CEL and Rego v1), Constraint, kustomization, gator suite',
    },
    { path: 'profiles/<level>/', description: 'a kustomization per Pod Security profile' },
  ],
  build: (input) => buildGatekeeper(input),
};

export interface GatekeeperInput extends GatekeeperOptions {
  policies: readonly PolicyConfig[];
  exceptions: readonly PolicyException[];
  /** The fixtures of a policy with their expected verdicts, turned into the samples of its gator suite. */
  fixtures: (policyId: string) => readonly TargetFixture[];
  /** The clock for exception expiry. @default new Date() */
  now?: Date;
  /** Policy ids per profile. @default the profiles' policies among `policies` (see profileIdsOf) */
  profiles?: Partial<Record<PssLevel, readonly string[]>>;
  /** The PSS version profiles are resolved at. @default 'latest' */
  profileVersion?: string;
}

export interface GatekeeperOutput {
  /** Relative path → file content, in path order. */
  files: Map<string, string>;
  /** What the output cannot express or left out, one sentence each. */
  problems: string[];
}

/** `buildGatekeeper` for callers holding configurations: resolves them first (the differentials use it). */
export function buildGatekeeperOutput(input: GatekeeperInput): GatekeeperOutput {
  const { files, notes } = buildGatekeeper(targetInputOf(input, 'buildGatekeeperOutput'), input);
  return { files, problems: notes };
}
