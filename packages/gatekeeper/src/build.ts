import type { PolicyConfig, PolicyException, PssLevel } from '@palisade/core';
import { toManifestYaml as toYaml } from '@palisade/validator';
import { z } from 'zod';
import { buildConstraint } from './constraint.js';
import { type CelCompiler, codeEntries, ENGINES, type Engine } from './engines.js';
import { constraintExceptions } from './exceptions.js';
import { checkGatekeeperLimits } from './limits.js';
import { kustomization, PROFILES, profilePolicyIds, profileProblems } from './profiles.js';
import { parametersSchema } from './schema.js';
import { buildSuite, referenceVerdict, type SampleFixture } from './suite.js';
import { buildTemplate } from './template.js';

export interface GatekeeperInput {
  policies: readonly PolicyConfig[];
  exceptions: readonly PolicyException[];
  /** The fixtures of a policy, turned into the samples of its gator suite. */
  fixtures: (policyId: string) => readonly SampleFixture[];
  /** The clock for exception expiry. @default new Date() */
  now?: Date;
  /** The engines every template carries (one engine alone proves that engine in gator). @default both */
  engines?: readonly Engine[];
  /** Replaces the K8sNativeValidation compiler (`celCode`, from `@palisade/cel`). */
  cel?: CelCompiler;
  /** Policy ids per profile. @default the profiles' policies among `policies` (see profilePolicyIds) */
  profiles?: Partial<Record<PssLevel, readonly string[]>>;
  /** The PSS version profiles are resolved at. @default 'latest' */
  profileVersion?: string;
  /** `metadata.gatekeeper.sh/version` of every template. @default '1.0.0' */
  version?: string;
}

export interface GatekeeperOutput {
  /** Relative path → file content, in path order. */
  files: Map<string, string>;
  /** What the output cannot express or left out, one sentence each. */
  problems: string[];
}

function parseParams(config: PolicyConfig): Record<string, unknown> {
  const parsed = config.policy.params.safeParse(config.params ?? {});
  if (!parsed.success) {
    throw new Error(`invalid parameters for policy ${config.policy.id}: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data as Record<string, unknown>;
}

/** Generates one directory per policy and one kustomization per profile. Output depends only on the input. */
export function buildGatekeeperOutput(input: GatekeeperInput): GatekeeperOutput {
  const now = input.now ?? new Date();
  const engines = input.engines ?? ENGINES;
  const version = input.version ?? '1.0.0';
  const files = new Map<string, string>();
  const problems: string[] = [];
  const configs = new Map<string, PolicyConfig>();

  for (const config of input.policies) {
    const id = config.policy.id;
    if (configs.has(id)) throw new Error(`policy ${id} is configured twice`);
    configs.set(id, config);
    const params = parseParams(config);
    const exceptions = constraintExceptions(id, input.exceptions, now);
    problems.push(...exceptions.problems);
    const template = buildTemplate({
      config,
      code: codeEntries(config, engines, input.cel),
      parameters: parametersSchema(config.policy.params, id, problems),
      version,
    });
    const constraint = buildConstraint({
      policyId: id,
      match: config.match ?? config.policy.match,
      enforcement: config.enforcement ?? config.policy.enforcement,
      params,
      exceptions,
      problems,
    });
    // Over a limit, the cluster refuses the object or its CEL does not compile: the build fails instead.
    checkGatekeeperLimits(id, template);
    checkGatekeeperLimits(id, constraint);
    const suite = buildSuite(id, input.fixtures(id), referenceVerdict(config, exceptions.applied, now));
    problems.push(...suite.problems);
    files.set(`${id}/template.yaml`, toYaml(template));
    files.set(`${id}/constraint.yaml`, toYaml(constraint));
    files.set(`${id}/kustomization.yaml`, toYaml(kustomization(['template.yaml', 'constraint.yaml'])));
    files.set(`${id}/suite.yaml`, toYaml(suite.suite));
    for (const [path, object] of suite.samples) files.set(`${id}/${path}`, toYaml(object));
  }

  const profileVersion = input.profileVersion ?? 'latest';
  const policies = [...configs.values()].map((c) => c.policy);
  for (const profile of PROFILES) {
    const ids = input.profiles?.[profile] ?? profilePolicyIds(profile, policies, profileVersion);
    if (ids.length === 0) continue;
    problems.push(...profileProblems(profile, ids, configs, profileVersion));
    const present = ids.filter((id) => configs.has(id)).sort();
    files.set(
      `profiles/${profile}/kustomization.yaml`,
      toYaml(kustomization(present.map((id) => `../../${id}`))),
    );
  }

  const sorted = new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { files: sorted, problems };
}
