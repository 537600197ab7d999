import {
  type Enforcement,
  effectivePolicy,
  exceptionMatchesResource,
  InvalidParametersError,
  isPodKind,
  type Match,
  matchedKinds,
  matchesResource,
  POD_TEMPLATE_PATHS,
  type PodKind,
  type Policy,
  type PolicyConfig,
  type PolicyException,
  type ResourceIdentity,
} from '@palisade/core';
import {
  type CompiledRule,
  compileRule,
  type Env,
  JSON_TYPE,
  type Path,
  TypeMismatchError,
  type Violation,
} from './compile.js';

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
  /** The identity fields (IDENTITY_*) its match reads. */
  matchReads: number;
  rule: CompiledRule;
  /** The live exceptions covering the policy, in the order given. */
  exceptions: readonly PolicyException[];
}

// The identity fields that matching reads, as bits: a policy whose match (or whose exceptions) reads a wrongly
// typed one gets an `error` result rather than silently applying or not.
const IDENTITY_NAME = 1;
const IDENTITY_NAMESPACE = 2;
const IDENTITY_LABELS = 4;

function matchReads(match: Match): number {
  let reads = 0;
  if (match.namespaces || match.excludedNamespaces) reads |= IDENTITY_NAMESPACE;
  if (match.labelSelector) reads |= IDENTITY_LABELS;
  return reads;
}

function exceptionReads(exception: PolicyException): number {
  let reads = 0;
  if (exception.match.namespaces) reads |= IDENTITY_NAMESPACE;
  if (exception.match.names) reads |= IDENTITY_NAME;
  if (exception.match.labels) reads |= IDENTITY_LABELS;
  return reads;
}

export type { PolicyConfig };

export { InvalidParametersError };

function compilePolicy(
  config: PolicyConfig,
  exceptions: readonly PolicyException[],
  now: Date,
): CompiledPolicy {
  // Resolution decides the match, enforcement, parameters and which exceptions cover the policy and still apply;
  // the exceptions' resource criteria are matched per resource below.
  const resolved = effectivePolicy(config, { exceptions, now });
  const { match, enforcement, params, policy, pssCheck } = resolved;
  return {
    policy,
    pssCheck,
    params,
    enforcement,
    match,
    kinds: new Set(matchedKinds(match)),
    kindList: matchedKinds(match),
    matchesPods: match.kinds.some(isPodKind),
    matchReads: matchReads(match),
    rule: compileRule(config),
    exceptions: resolved.exceptions.live,
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

/** A wrongly typed identity field, and the identity fields (IDENTITY_*) it makes unreadable. */
interface IdentityProblem {
  fields: number;
  error: TypeMismatchError;
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The wrongly typed fields among those matching reads: `metadata` must be an object, `metadata.name` and
 * `metadata.namespace` strings, `metadata.labels` an object of strings (missing or null is fine). Undefined when
 * all are readable, which is the common case and costs a few `typeof`s.
 */
export function identityProblems(object: Record<string, unknown>): IdentityProblem[] | undefined {
  const metadata = object.metadata;
  if (metadata === undefined || metadata === null) return undefined;
  if (!isMap(metadata)) {
    const error = new TypeMismatchError(undefined, ['metadata'], JSON_TYPE.object, metadata);
    return [{ fields: IDENTITY_NAME | IDENTITY_NAMESPACE | IDENTITY_LABELS, error }];
  }
  let problems: IdentityProblem[] | undefined;
  const add = (fields: number, path: Path, expected: number, found: unknown) => {
    problems ??= [];
    problems.push({ fields, error: new TypeMismatchError(undefined, path, expected, found) });
  };
  const { name, namespace, labels } = metadata;
  if (name != null && typeof name !== 'string')
    add(IDENTITY_NAME, ['metadata', 'name'], JSON_TYPE.string, name);
  if (namespace != null && typeof namespace !== 'string') {
    add(IDENTITY_NAMESPACE, ['metadata', 'namespace'], JSON_TYPE.string, namespace);
  }
  if (labels != null) {
    if (!isMap(labels)) add(IDENTITY_LABELS, ['metadata', 'labels'], JSON_TYPE.object, labels);
    else {
      for (const key of Object.keys(labels)) {
        const value = labels[key];
        if (typeof value !== 'string')
          add(IDENTITY_LABELS, ['metadata', 'labels', key], JSON_TYPE.string, value);
      }
    }
  }
  return problems;
}

/**
 * The `pod` variable of a resource of a Pod kind, and where it sits: the Pod itself, or the controller's pod
 * template. A step along the template path that is not an object stops there, so that the policy's first read of
 * the pod reports that field (`spec.template` a list, `spec` a number) as a type mismatch instead of skipping the
 * checks; a missing template leaves the pod undefined.
 */
export function podBinding(kind: PodKind, object: Record<string, unknown>): { pod: unknown; path: Path } {
  const templatePath = POD_TEMPLATE_PATHS[kind];
  let node: unknown = object;
  for (let i = 0; i < templatePath.length; i++) {
    if (node === undefined || node === null) return { pod: undefined, path: templatePath };
    if (!isMap(node)) return { pod: node, path: templatePath.slice(0, i) };
    const key = templatePath[i] as string;
    node = Object.hasOwn(node, key) ? node[key] : undefined;
  }
  return { pod: node === null ? undefined : node, path: templatePath };
}

/** Evaluates a fixed set of policies on resources. Build once, call `validate` per resource. */
export class Validator {
  readonly #policies: CompiledPolicy[];
  /** Per policy (same order), the identity fields its match and the exceptions covering it read. */
  readonly #identityReads: number[];

  constructor(options: ValidatorOptions) {
    const now = options.now ?? new Date();
    const exceptions = options.exceptions ?? [];
    this.#policies = options.policies.map((config) => compilePolicy(config, exceptions, now));
    this.#identityReads = this.#policies.map((compiled) =>
      compiled.exceptions.reduce((reads, e) => reads | exceptionReads(e), compiled.matchReads),
    );
  }

  get policies(): Policy[] {
    return this.#policies.map((p) => p.policy);
  }

  /**
   * Every kind some policy applies to, as resolved (configured matches, Pod controllers expanded), in policy order:
   * what an audit must list.
   */
  get kinds(): string[] {
    return [...new Set(this.#policies.flatMap((p) => p.kindList))];
  }

  /**
   * Results for every policy that applies to the resource; policies that do not match it give no result. A policy
   * that reads a field of the wrong JSON type (in its match, its exceptions or its rule) gives an `error` result
   * naming the field; the other policies' results are unaffected.
   */
  validate(object: Record<string, unknown>): PolicyResult[] {
    const identity = identityOf(object);
    const problems = identityProblems(object);
    const results: PolicyResult[] = [];
    // What every policy matching Pods sees of this resource, computed once rather than once per policy.
    const kind = identity.kind;
    const podKind = isPodKind(kind) ? kind : undefined;
    const bound = podKind === undefined ? undefined : podBinding(podKind, object);
    const pod = bound?.pod;
    const podPath = bound?.path;
    const policies = this.#policies;
    for (let index = 0; index < policies.length; index++) {
      const compiled = policies[index] as CompiledPolicy;
      if (!compiled.kinds.has(kind)) continue;
      if (problems) {
        const reads = this.#identityReads[index] ?? 0;
        const problem = problems.find((p) => p.fields & reads);
        if (problem) {
          results.push(mismatchResult(compiled, problem.error));
          continue;
        }
      }
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
    let exemptImages: string[] | undefined;
    for (const exception of compiled.exceptions) {
      if (!exceptionMatchesResource(exception, identity)) continue;
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
    let violations: Violation[];
    try {
      if (!compiled.rule.applies(env)) return result(compiled, 'skip', 'precondition not met', [], undefined);
      violations = compiled.rule.evaluate(env);
    } catch (error) {
      if (!(error instanceof TypeMismatchError)) throw error;
      error.resolve({ object: [], pod: podPath });
      return mismatchResult(compiled, error);
    }
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

/** The `error` result of a policy that met a wrongly typed field (one violation, at that field). */
function mismatchResult(compiled: CompiledPolicy, error: TypeMismatchError): PolicyResult {
  const message = `cannot evaluate: ${error.message}`;
  const path = error.root === undefined && error.label === undefined ? error.path : [];
  return result(compiled, 'error', message, [{ message, path }], undefined);
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
