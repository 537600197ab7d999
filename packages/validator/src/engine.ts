import {
  appliesAsPod,
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
import { type CompiledRule, compileRule, type Env, type Violation } from './compile.js';

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
    rule: compileRule(config.rule),
  };
}

function stringRecord(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
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
    for (const compiled of this.#policies) {
      if (!compiled.kinds.has(identity.kind)) continue;
      if (!matchesResource(compiled.match, identity, compiled.kindList)) continue;
      results.push(this.#evaluate(compiled, object, identity));
    }
    return results;
  }

  #evaluate(
    compiled: CompiledPolicy,
    object: Record<string, unknown>,
    identity: ResourceIdentity,
  ): PolicyResult {
    const base = { policy: compiled.policy, pssCheck: compiled.pssCheck, violations: [] as Violation[] };
    let exemptImages: string[] | undefined;
    for (const exception of this.#exceptions) {
      if (
        !exceptionCoversPolicy(exception, compiled.policy.id) ||
        !exceptionMatchesResource(exception, identity)
      ) {
        continue;
      }
      if (exception.match.images) {
        exemptImages = [...(exemptImages ?? []), ...exception.match.images];
        continue;
      }
      return {
        ...base,
        status: 'skip',
        message: `exempted by exception ${exception.name}: ${exception.reason}`,
        exception,
      };
    }
    const asPod = appliesAsPod(compiled.match, identity.kind) && isPodKind(identity.kind);
    const env: Env = {
      vars: {
        object,
        pod: asPod ? podOf(identity.kind as keyof typeof POD_TEMPLATE_PATHS, object) : undefined,
      },
      paths: {
        object: [],
        pod: asPod ? POD_TEMPLATE_PATHS[identity.kind as keyof typeof POD_TEMPLATE_PATHS] : undefined,
      },
      params: compiled.params,
      exemptImages,
    };
    if (!compiled.rule.applies(env)) {
      return { ...base, status: 'skip', message: 'precondition not met', exception: undefined };
    }
    const violations = compiled.rule.evaluate(env);
    if (violations.length === 0)
      return { ...base, status: 'pass', message: 'validation passed', exception: undefined };
    return {
      ...base,
      status: compiled.enforcement === 'warn' ? 'warn' : 'fail',
      message: [...new Set(violations.map((v) => v.message))].join('; '),
      violations,
      exception: undefined,
    };
  }
}
