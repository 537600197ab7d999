import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { catalogueRules, fixtureCorpus, generatedCorpus } from '@palisade/testing';
import { Validator } from '@palisade/validator';
import { describe, expect, it } from 'vitest';
import { compileRego } from './compile.js';
import { LIB_SOURCE } from './lib.js';
import { opaCheckStrict, opaViolations } from './testing/opa.js';

const rules = catalogueRules();
const modules = rules.map((r) => ({
  ...r,
  module: compileRego(r.rule, { packageName: `templates.${r.key}`, podKinds: r.podKinds, source: r.label }),
}));

describe('compileRego on the catalogue', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
  it('compiles every rule revision to modules that pass opa check --strict', () => {
    const files = new Map(modules.map((m) => [`${m.key}.rego`, m.module.rego]));
    files.set('lib.rego', LIB_SOURCE);
    expect(opaCheckStrict(files)).toBe('');
  });

  it("gives the validator's violations (messages and paths) on the fixture and generated corpora", () => {
    const corpus = [...fixtureCorpus(), ...generatedCorpus(1500, 20240601)];
    const objects = new Map(corpus.map((c) => [c.id, c.object]));
    const opa = opaViolations(
      modules.map((m) => ({
        key: m.key,
        rego: m.module.rego,
        params: m.params,
        objects: corpus.filter((c) => m.kinds.includes(String(c.object.kind))).map((c) => c.id),
      })),
      objects,
      [LIB_SOURCE],
    );
    const disagreements: string[] = [];
    let compared = 0;
    let denied = 0;
    for (const m of modules) {
      const validator = new Validator({ policies: [{ policy: m.policy, rule: m.rule, params: m.params }] });
      for (const c of corpus) {
        const [result] = validator.validate(c.object);
        if (!result) continue;
        compared++;
        if (result.violations.length > 0) denied++;
        const expected = [
          ...new Set(result.violations.map((v) => JSON.stringify([v.message, v.path]))),
        ].sort();
        const actual = [
          ...new Set((opa.get(m.key)?.get(c.id) ?? []).map((v) => JSON.stringify([v.msg, v.details.path]))),
        ].sort();
        if (JSON.stringify(expected) !== JSON.stringify(actual)) {
          disagreements.push(
            `${m.label} on ${c.id}:\n  validator ${JSON.stringify(expected)}\n  rego      ${JSON.stringify(actual)}\n  object ${JSON.stringify(c.object)}`,
          );
        }
      }
    }
    console.log(
      `rego/validator: ${compared} (rule, object) pairs compared (${denied} denied), ${disagreements.length} disagreements`,
    );
    expect(denied).toBeGreaterThan(1000);
    expect(disagreements.slice(0, 5).join('\n')).toBe('');
  });
});
