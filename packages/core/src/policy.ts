import { z } from 'zod';
import type { Rule, Value } from './ir.js';
import { ruleSchema } from './ir-schema.js';
import { type Match, type MatchInput, matchSchema } from './match.js';
import { type PssVersion, parsePssVersion } from './pss-version.js';

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type Enforcement = 'audit' | 'warn' | 'enforce';
export type PssLevel = 'baseline' | 'restricted';

export const severitySchema = z.enum(['low', 'medium', 'high', 'critical']);
export const enforcementSchema = z.enum(['audit', 'warn', 'enforce']);

/** The standard a policy implements, for reports and generated annotations. */
export interface Standard {
  name: string;
  /** The control within the standard, e.g. "Privileged Containers". */
  control?: string;
  url?: string;
}

/** One revision of an upstream Pod Security check: in force from `since` (e.g. "1.25") until the next one. */
export interface PssRevision {
  since: string;
  rule: Rule;
  /** Palisade ids of baseline policies this restricted revision replaces in the restricted profile. */
  overrides?: readonly string[];
}

/** An upstream Pod Security Admission check that this policy reproduces. */
export interface PssControl {
  level: PssLevel;
  /** The upstream check id in k8s.io/pod-security-admission (e.g. "capabilities_restricted"). */
  check: string;
  revisions: readonly PssRevision[];
}

/** Parameter references handed to a rule builder: each key reads that parameter as data. */
export type ParamRefs<T> = { readonly [K in keyof T]-?: Value };

type AnyParams = z.ZodObject<z.ZodRawShape>;

interface PolicyMetadata {
  /** Stable kebab-case id; it names generated resources in every target. */
  id: string;
  title: string;
  description: string;
  severity: Severity;
  category: string;
  /** What to change in a manifest to comply. */
  remediation: string;
  standard?: Standard;
  match: MatchInput;
  /** @default 'audit' */
  enforcement?: Enforcement;
}

export type PolicyInput<S extends AnyParams> = PolicyMetadata &
  (
    | { params?: S; rule: (params: ParamRefs<z.output<S>>) => Rule; pss?: never }
    /** PSS revisions read parameters with `param(name)`; each must be declared in `params`. */
    | { params?: S; rule?: never; pss: readonly PssControl[] }
  );

/** A policy definition: metadata, typed parameters and its rule(s) as IR. Immutable and serializable. */
export interface Policy<S extends AnyParams = AnyParams> {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly category: string;
  readonly remediation: string;
  readonly standard: Standard | undefined;
  readonly match: Match;
  readonly enforcement: Enforcement;
  readonly params: S;
  /** The rule of a non-PSS policy, with parameter references. */
  readonly rule: Rule | undefined;
  /** Upstream PSS checks reproduced by this policy (a policy may map to a baseline and a restricted check). */
  readonly pss: readonly PssControl[] | undefined;
}

const idPattern = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const emptyParams = z.object({});

export function definePolicy<S extends AnyParams = typeof emptyParams>(input: PolicyInput<S>): Policy<S> {
  return makePolicy(input, true);
}

/**
 * `definePolicy` for the catalogue (`policies/`), without checking the rules against the IR schema: the catalogue's
 * tests check every rule (policies/catalogue-rules.test.ts), and checking them again on every CLI start took about
 * a third of its start-up (docs/performance.md, "Start-up"). Everything else is checked as `definePolicy` checks it.
 * Not for policies written elsewhere: those are checked when they are defined.
 */
export function defineCataloguePolicy<S extends AnyParams = typeof emptyParams>(
  input: PolicyInput<S>,
): Policy<S> {
  return makePolicy(input, false);
}

function makePolicy<S extends AnyParams>(input: PolicyInput<S>, checkRules: boolean): Policy<S> {
  if (!idPattern.test(input.id)) throw new Error(`policy id "${input.id}" must be kebab-case`);
  const where = `policy ${input.id}`;
  const match = parseOrThrow(matchSchema, input.match, `${where}: match`);
  const params = (input.params ?? emptyParams) as S;
  let rule: Rule | undefined;
  if (input.rule) {
    const refs = Object.fromEntries(Object.keys(params.shape).map((key) => [key, { param: key }]));
    const built = input.rule(refs as ParamRefs<z.output<S>>);
    rule = checkRules ? parseOrThrow(ruleSchema, built, `${where}: rule`) : built;
    for (const name of paramNames(rule)) {
      if (!(name in params.shape)) throw new Error(`${where}: rule reads undeclared parameter "${name}"`);
    }
  }
  if (input.pss) {
    for (const control of input.pss) {
      let previous: PssVersion | undefined;
      for (const revision of control.revisions) {
        const at = `${where}: ${control.check} revision ${revision.since}`;
        const parsed = checkRules ? parseOrThrow(ruleSchema, revision.rule, at) : revision.rule;
        for (const name of paramNames(parsed)) {
          if (!(name in params.shape)) throw new Error(`${at}: rule reads undeclared parameter "${name}"`);
        }
        const since = parsePssVersion(revision.since);
        if (previous && since.minor <= previous.minor) {
          throw new Error(`${where}: ${control.check} revisions must be in increasing order`);
        }
        previous = since;
      }
    }
  }
  return Object.freeze({
    id: input.id,
    title: input.title,
    description: input.description,
    severity: input.severity,
    category: input.category,
    remediation: input.remediation,
    standard: input.standard,
    match,
    enforcement: input.enforcement ?? 'audit',
    params,
    rule,
    pss: input.pss,
  });
}

/** Parameter names a rule reads. */
export function paramNames(rule: Rule): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.param === 'string' && Object.keys(record).length === 1) names.add(record.param);
      else Object.values(record).forEach(visit);
    }
  };
  visit(rule);
  return names;
}

export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`${where}: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** The JSON form of a policy (parameters as JSON Schema), for tooling and generated artefacts. */
export function policyToJSON(policy: Policy): Record<string, unknown> {
  return {
    id: policy.id,
    title: policy.title,
    description: policy.description,
    severity: policy.severity,
    category: policy.category,
    remediation: policy.remediation,
    ...(policy.standard ? { standard: policy.standard } : {}),
    match: policy.match,
    enforcement: policy.enforcement,
    parameters: z.toJSONSchema(policy.params, { io: 'input' }),
    ...(policy.rule ? { rule: policy.rule } : {}),
    ...(policy.pss ? { pss: policy.pss } : {}),
  };
}
