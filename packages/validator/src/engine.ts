import {
  type Enforcement,
  exceptionCoversPolicy,
  exceptionMatchesResource,
  isExpired,
  isPodKind,
  type Match,
  matchedKinds,
  matchesResource,
  POD_TEMPLATE_PATHS,
  type Policy,
  type PolicyConfig,
  type PolicyException,
  podOf,
  type ResourceIdentity,
} from '@palisade/core';
import { z } from 'zod';
import { type CompiledRule, compileRule, type Env, type Path, type Violation } from './compile.js';

/** PolicyReport result values (wgpolicyk8s.io). */
export type ResultStatus = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

export interface PolicyResult {
  policy: Policy;
  /** The upstream Pod Security check reproduced, for PSS policies. */
  pssCheck: string | undefined;
  status: ResultStatus;
  message: string;
  violations: Violation[];
  /** The exception that exempted the resource, when status is `skip` because of one. */
  exception: PolicyException | undefined;
}

export interface ValidatorOptions {
  policies: readonly PolicyConfig[];
  exceptions?: readonly PolicyException[];
  /** The clock used for exception expiry. @default new Date() */
  now?: Date;
}

interface CompiledPolicy {
  policy: Policy;
  pssCheck: string | undefined;
  params: Readonly<Record<string, unknown>>;
  enforcement: Enforcement;
  match: Match;
  kinds: Set<string>;
  kindList: string[];
  /** Whether the policy matches Pod kinds, so that it sees the pod of a Pod-kind resource (`appliesAsPod`). */
  matchesPods: boolean;
  rule: CompiledRule;
}

export type { PolicyConfig };

export class InvalidParametersError extends Error {}

function compilePolicy(config: PolicyConfig): CompiledPolicy {
  const parsed = config.policy.params.safeParse(config.params ?? {});
  if (!parsed.success) {
    throw new InvalidParametersError(
      `invalid parameters for policy ${config.policy.id}: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`,
    );
  }
  const match = config.match ?? config.policy.match;
  return {
    policy: config.policy,
    pssCheck: config.pssCheck,
    params: parsed.data as Record<string, unknown>,
    enforcement: config.enforcement ?? config.policy.enforcement,
    match,
    kinds: new Set(matchedKinds(match)),
    kindList: matchedKinds(match),
    matchesPods: match.kinds.some(isPodKind),
    rule: compileRule(config.rule),
  };
}

function stringRecord(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

export function identityOf(object: Record<string, unknown>): ResourceIdentity {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  return {
    kind: String(object.kind),
    name: typeof metadata.name === 'string' ? metadata.name : undefined,
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : undefined,
    labels: stringRecord(metadata.labels),
  };
}

/** Evaluates a fixed set of policies on resources. Build once, call `validate` per resource. */
export class Validator {
  readonly #policies: CompiledPolicy[];
  readonly #exceptions: readonly PolicyException[];

  constructor(options: ValidatorOptions) {
    const now = options.now ?? new Date();
    this.#policies = options.policies.map(compilePolicy);
    this.#exceptions = (options.exceptions ?? []).filter((e) => !isExpired(e, now));
  }

  get policies(): Policy[] {
    return this.#policies.map((p) => p.policy);
  }

  /** Results for every policy that applies to the resource; policies that do not match it give no result. */
  validate(object: Record<string, unknown>): PolicyResult[] {
    const identity = identityOf(object);
    const results: PolicyResult[] = [];
    // What every policy matching Pods sees of this resource, computed once rather than once per policy.
    const kind = identity.kind;
    const podKind = isPodKind(kind) ? kind : undefined;
    const pod = podKind === undefined ? undefined : podOf(podKind, object);
    const podPath = podKind === undefined ? undefined : POD_TEMPLATE_PATHS[podKind];
    for (const compiled of this.#policies) {
      if (!compiled.kinds.has(kind)) continue;
      if (!matchesResource(compiled.match, identity, compiled.kindList)) continue;
      const asPod = compiled.matchesPods && podKind !== undefined;
      results.push(
        this.#evaluate(compiled, object, identity, asPod ? pod : undefined, asPod ? podPath : undefined),
      );
    }
    return results;
  }

  #evaluate(
    compiled: CompiledPolicy,
    object: Record<string, unknown>,
    identity: ResourceIdentity,
    pod: unknown,
    podPath: Path | undefined,
  ): PolicyResult {
    const { policy } = compiled;
    let exemptImages: string[] | undefined;
    for (const exception of this.#exceptions) {
      if (!exceptionCoversPolicy(exception, policy.id) || !exceptionMatchesResource(exception, identity)) {
        continue;
      }
      if (exception.match.images) {
        exemptImages = [...(exemptImages ?? []), ...exception.match.images];
        continue;
      }
      return result(
        compiled,
        'skip',
        `exempted by exception ${exception.name}: ${exception.reason}`,
        [],
        exception,
      );
    }
    const env: Env = {
      vars: { object, pod },
      paths: { object: [], pod: podPath },
      params: compiled.params,
      exemptImages,
    };
    if (!compiled.rule.applies(env)) return result(compiled, 'skip', 'precondition not met', [], undefined);
    const violations = compiled.rule.evaluate(env);
    if (violations.length === 0) return result(compiled, 'pass', 'validation passed', violations, undefined);
    return result(
      compiled,
      compiled.enforcement === 'warn' ? 'warn' : 'fail',
      [...new Set(violations.map((v) => v.message))].join('; '),
      violations,
      undefined,
    );
  }
}

/** A policy result, built in one step (in the property order results always had) rather than by spreading. */
function result(
  compiled: CompiledPolicy,
  status: ResultStatus,
  message: string,
  violations: Violation[],
  exception: PolicyException | undefined,
): PolicyResult {
  return { policy: compiled.policy, pssCheck: compiled.pssCheck, violations, status, message, exception };
}
