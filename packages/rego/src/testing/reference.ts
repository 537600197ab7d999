import { isPodKind, type Rule } from '@palisade/core';
import { compileRule, type Env, podBinding, TypeMismatchError, type Violation } from '@palisade/validator';
import { compileRego } from '../compile.js';
import { LIB_SOURCE } from '../lib.js';
import { opaCheckStrict, opaViolations } from './opa.js';

/** The validator's evaluation of one rule on one resource, set up as its engine does (policy matching Pods). */
export function reference(
  rule: Rule,
  object: Record<string, unknown>,
  params: Record<string, unknown>,
  exemptImages: readonly string[] | undefined,
): Violation[] {
  const kind = String(object.kind);
  const bound = isPodKind(kind) ? podBinding(kind, object) : undefined;
  const env: Env = {
    vars: { object, pod: bound?.pod },
    paths: { object: [], pod: bound?.path },
    params,
    exemptImages,
  };
  const compiled = compileRule(rule);
  return compiled.applies(env) ? compiled.evaluate(env) : [];
}

export interface Case {
  rule: Rule;
  objects: readonly Record<string, unknown>[];
  params: Record<string, unknown>;
  exempt?: readonly string[] | undefined;
}

export interface Comparison {
  evaluations: number;
  denied: number;
  /** Objects the reference cannot read (a type mismatch: an `error` result), not compared (docs/ir.md). */
  excluded: number;
  /** Disagreements, smallest first. */
  failures: string[];
}

const violationKeys = (vs: readonly { message: string; path: readonly unknown[] }[]) =>
  [...new Set(vs.map((v) => JSON.stringify([v.message, v.path])))].sort();

/** Compiles every case, checks the modules with `opa check --strict`, evaluates them in one `opa eval`. */
export function compareWithReference(cases: readonly Case[]): Comparison {
  const modules = cases.map((c, i) =>
    compileRego(c.rule, { packageName: `templates.r${i}`, podKinds: true }),
  );
  const files = new Map(modules.map((m, i) => [`r${i}.rego`, m.rego]));
  files.set('lib.rego', LIB_SOURCE);
  const check = opaCheckStrict(files);
  if (check !== '') {
    return { evaluations: 0, denied: 0, excluded: 0, failures: [`opa check --strict: ${check}`] };
  }

  const objects = new Map<string, unknown>();
  for (const [i, c] of cases.entries()) {
    for (const [j, o] of c.objects.entries()) objects.set(`r${i}-${j}`, o);
  }
  const opa = opaViolations(
    cases.map((c, i) => ({
      key: `r${i}`,
      rego: modules[i]?.rego ?? '',
      params: c.exempt === undefined ? c.params : { ...c.params, exemptImages: c.exempt },
      objects: c.objects.map((_, j) => `r${i}-${j}`),
    })),
    objects,
    [LIB_SOURCE],
  );
  const failures: { size: number; text: string }[] = [];
  let denied = 0;
  let excluded = 0;
  cases.forEach((c, i) => {
    c.objects.forEach((object, j) => {
      let violations: Violation[];
      try {
        violations = reference(c.rule, object, c.params, c.exempt);
      } catch (error) {
        if (!(error instanceof TypeMismatchError)) throw error;
        excluded++;
        return;
      }
      const expected = violationKeys(violations);
      if (expected.length > 0) denied++;
      const actual = violationKeys(
        (opa.get(`r${i}`)?.get(`r${i}-${j}`) ?? []).map((v) => ({ message: v.msg, path: v.details.path })),
      );
      if (JSON.stringify(expected) !== JSON.stringify(actual)) {
        const text = JSON.stringify({ rule: c.rule, object, params: c.params, exempt: c.exempt });
        failures.push({
          size: text.length,
          text: `${text}\n  reference ${JSON.stringify(expected)}\n  rego      ${JSON.stringify(actual)}\n${modules[i]?.rego}`,
        });
      }
    });
  });
  failures.sort((a, b) => a.size - b.size);
  return { evaluations: objects.size, denied, excluded, failures: failures.map((f) => f.text) };
}
