import { type Exclusion, type IrCase, referenceResults, sortKeys } from '@palisade/testing';
import { compileRego } from '../compile.js';
import { LIB_SOURCE } from '../lib.js';
import { opaCheckStrict, opaViolations } from './opa.js';

export type Case = IrCase;

export interface Comparison {
  /** (rule, resource) pairs evaluated by opa. */
  evaluations: number;
  /** Pairs compared with the validator, and those left out (see referenceResults), by reason. */
  counts: Record<Exclusion | 'compared', number>;
  denied: number;
  /** Disagreements, smallest first. */
  failures: string[];
}

const violationKeys = (vs: readonly { message: string; path: readonly unknown[] }[]) =>
  [...new Set(vs.map((v) => JSON.stringify([v.message, v.path])))].sort();

/**
 * Compiles every case, checks the modules with `opa check --strict`, evaluates them in one `opa eval` (which fails
 * on any runtime error, so excluded pairs still prove the module does not error), and compares the violations
 * (message and path) with the validator's on every pair it does not exclude.
 */
export function compareWithReference(input: readonly Case[]): Comparison {
  const cases = input.map((c) => ({ ...c, objects: c.objects.map((o) => sortKeys(o)) }));
  const modules = cases.map((c, i) =>
    compileRego(c.rule, { packageName: `templates.r${i}`, podKinds: true }),
  );
  const files = new Map(modules.map((m, i) => [`r${i}.rego`, m.rego]));
  files.set('lib.rego', LIB_SOURCE);
  const check = opaCheckStrict(files);
  const counts = { mismatch: 0, 'validator-error': 0, 'string-order': 0, compared: 0 };
  if (check !== '') return { evaluations: 0, counts, denied: 0, failures: [`opa check --strict: ${check}`] };

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
  const reference = referenceResults(cases, 'r');
  const failures: { size: number; text: string }[] = [];
  let denied = 0;
  cases.forEach((c, i) => {
    c.objects.forEach((object, j) => {
      const want = reference.expected[i]?.[j];
      if (want === undefined || want.excluded !== undefined) return;
      const expected = violationKeys(want.result?.violations ?? []);
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
  return {
    evaluations: objects.size,
    counts: reference.counts,
    denied,
    failures: failures.map((f) => f.text),
  };
}
