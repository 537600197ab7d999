import type { EffectivePolicy } from './effective.js';
import type { PolicyException } from './exceptions.js';
import type { PssLevel } from './policy.js';

/**
 * The contract every build target implements (Gatekeeper, Kyverno, …): the CLI resolves the configuration once,
 * computes each fixture's expected verdict with the reference evaluator, and hands each target the same input.
 * A target is a pure function of it, so `palisade build --check` can compare its files with what is committed.
 */

/** How the reference evaluator judges one object under one policy (as configured, its live exceptions applied). */
export interface Verdict {
  /** `unmatched` when the policy does not select the object at all. */
  status: 'pass' | 'fail' | 'warn' | 'error' | 'skip' | 'unmatched';
  /** The distinct violation messages, for `fail` and `warn`. */
  messages: readonly string[];
}

/** Whether a verdict denies (what `expect: denied` asserts). */
export const deniesVerdict = (verdict: Verdict): boolean =>
  verdict.status === 'fail' || verdict.status === 'warn';

/** A fixture of a policy, with the verdict the generated tests must assert. */
export interface TargetFixture {
  /** e.g. `denied/pod-privileged`. */
  name: string;
  /** What the fixture file says; a verdict that disagrees is reported, and the fixture left out. */
  expect: 'allowed' | 'denied';
  object: Record<string, unknown>;
  /** The reference verdict on `object` as written. */
  verdict: Verdict;
}

/**
 * The reference verdict of a policy on any object: for targets whose engine loads an object differently from
 * how it is written (the Kyverno CLI defaults the namespace), so they judge what the engine will see.
 */
export type Oracle = (policyId: string, object: Record<string, unknown>) => Verdict;

export interface TargetInput {
  /** Resolved once for every target (`resolveTargetPolicies`), in configuration order. */
  policies: readonly EffectivePolicy[];
  /** Every exception of the build, expired ones included (targets report them). */
  exceptions: readonly PolicyException[];
  /** The PSS version the policies and profiles were resolved at. */
  pssVersion: string;
  /** Policy ids per Pod Security profile (`profileIdsOf`, unless the caller chooses). */
  profiles: Partial<Record<PssLevel, readonly string[]>>;
  /** A policy's fixtures with their expected verdicts (none: the target generates no tests for it). */
  fixtures: (policyId: string) => readonly TargetFixture[];
  oracle: Oracle;
  /** The clock of exception expiry. */
  now: Date;
}

export interface TargetOutput {
  /** Path relative to the target's folder → content, in path order. */
  files: Map<string, string>;
  /** What the output could not express or left out, one sentence each. Never silently dropped. */
  notes: string[];
}

export interface Target {
  /** As shown in notes and errors, e.g. `gatekeeper`. */
  name: string;
  /** The folder under `build --out` the target owns: build writes and prunes it, nothing else. */
  folder: string;
  /** Generated paths (relative to `folder`, `<policy-id>`-style placeholders) → one line each, for the usage. */
  paths: readonly { path: string; description: string }[];
  build(input: TargetInput): TargetOutput;
}
