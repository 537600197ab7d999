import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { check, eq, msg, not, oneOf, pod, rule } from './builder.js';
import { defineCataloguePolicy, definePolicy, paramNames, policyToJSON } from './policy.js';

const base = {
  title: 'T',
  description: 'D',
  severity: 'low',
  category: 'Test',
  remediation: 'R',
  match: { kinds: ['Pod'] },
} as const;

describe('definePolicy', () => {
  it('defaults enforcement to audit and keeps the rule as data with parameter references', () => {
    const policy = definePolicy({
      ...base,
      id: 'allowed-runtime',
      params: z.object({ classes: z.array(z.string()).default(['gvisor']) }),
      rule: (p) =>
        rule([
          check({ deny: not(oneOf(pod('spec.runtimeClassName'), p.classes)), message: msg`x`, field: '' }),
        ]),
    });
    expect(policy.enforcement).toBe('audit');
    expect(paramNames(policy.rule!)).toEqual(new Set(['classes']));
    expect(JSON.stringify(policy.rule)).toContain('{"param":"classes"}');
  });

  it('rejects ids that are not kebab-case', () => {
    expect(() => definePolicy({ ...base, id: 'Bad_Id', rule: () => rule([]) })).toThrow(/kebab-case/);
  });

  it('rejects a rule that is not valid IR, naming the policy', () => {
    expect(() =>
      definePolicy({
        ...base,
        id: 'broken',
        rule: () => ({ checks: [{ deny: { nope: 1 }, message: [], field: '' }] }) as never,
      }),
    ).toThrow(/policy broken: rule/);
  });

  it('rejects a rule that reads an undeclared parameter', () => {
    expect(() =>
      definePolicy({
        ...base,
        id: 'undeclared',
        rule: () =>
          rule([check({ deny: oneOf(pod('spec.x'), { param: 'missing' }), message: ['m'], field: '' })]),
      }),
    ).toThrow(/undeclared parameter "missing"/);
  });

  it('rejects PSS revisions out of order', () => {
    const r = rule([check({ deny: eq(pod('spec.hostPID'), true), message: ['m'], field: '' })]);
    expect(() =>
      definePolicy({
        ...base,
        id: 'out-of-order',
        pss: [
          {
            level: 'baseline',
            check: 'x',
            revisions: [
              { since: '1.25', rule: r },
              { since: '1.8', rule: r },
            ],
          },
        ],
      }),
    ).toThrow(/increasing order/);
  });

  it('lets PSS revisions read declared parameters and rejects undeclared ones, naming the revision', () => {
    const r = rule([
      check({ deny: not(oneOf(pod('spec.x'), { param: 'allowed' })), message: ['m'], field: '' }),
    ]);
    const control = { level: 'baseline', check: 'x', revisions: [{ since: '1.0', rule: r }] } as const;
    const policy = definePolicy({
      ...base,
      id: 'pss-params',
      params: z.object({ allowed: z.array(z.number()).default([]) }),
      pss: [control],
    });
    expect(policy.params.parse({})).toEqual({ allowed: [] });
    expect(() => definePolicy({ ...base, id: 'pss-undeclared', pss: [control] })).toThrow(
      /policy pss-undeclared: x revision 1.0: rule reads undeclared parameter "allowed"/,
    );
  });

  it('serializes to JSON with parameters as JSON Schema', () => {
    const policy = definePolicy({
      ...base,
      id: 'with-params',
      params: z.object({ registries: z.array(z.string()).describe('Allowed prefixes') }),
      rule: (p) => rule([check({ deny: oneOf(pod('spec.x'), p.registries), message: ['m'], field: '' })]),
    });
    const json = policyToJSON(policy);
    expect(json.parameters).toMatchObject({ type: 'object', properties: { registries: { type: 'array' } } });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

describe('IR variable names', () => {
  it('refuses to bind the built-in pod and object variables', () => {
    expect(() =>
      definePolicy({
        ...base,
        id: 'shadowing',
        rule: () =>
          rule([
            check({
              forEach: { var: 'pod', in: { list: pod('spec.xs') } },
              deny: eq(pod('spec'), 1),
              message: ['m'],
              field: '',
            }),
          ]),
      }),
    ).toThrow(/built-in/);
  });
});

describe('defineCataloguePolicy', () => {
  const invalidIr = () => ({ checks: [{ deny: { nope: 1 }, message: [], field: '' }] }) as never;

  it('leaves the IR schema check to the catalogue tests, as definePolicy does not', () => {
    expect(() => definePolicy({ ...base, id: 'broken', rule: invalidIr })).toThrow(/policy broken: rule/);
    expect(defineCataloguePolicy({ ...base, id: 'broken', rule: invalidIr }).rule).toEqual(invalidIr());
  });

  it('checks everything else as definePolicy does', () => {
    expect(() => defineCataloguePolicy({ ...base, id: 'Bad_Id', rule: () => rule([]) })).toThrow(
      /kebab-case/,
    );
    expect(() =>
      defineCataloguePolicy({
        ...base,
        id: 'undeclared',
        rule: () =>
          rule([check({ deny: oneOf(pod('spec.x'), { param: 'missing' }), message: ['m'], field: '' })]),
      }),
    ).toThrow(/undeclared parameter "missing"/);
    expect(() =>
      defineCataloguePolicy({ ...base, id: 'bad-match', match: { kinds: [] }, rule: () => rule([]) }),
    ).toThrow(/policy bad-match: match/);
  });
});
