import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { check, eq, object, rule } from './builder.js';
import { defineConfig, resolveConfig } from './config.js';
import { definePolicy } from './policy.js';

const anyCheck = rule([check({ deny: eq(object('kind'), 'X'), message: ['x'], field: 'kind' })]);

const pssPolicy = definePolicy({
  id: 'pss-thing',
  title: 'PSS thing',
  description: 'd',
  severity: 'high',
  category: 'Pod Security',
  remediation: 'r',
  match: { kinds: ['Pod'] },
  pss: [{ level: 'baseline', check: 'thing', revisions: [{ since: '1.0', rule: anyCheck }] }],
});

const registries = definePolicy({
  id: 'registries',
  title: 'Registries',
  description: 'd',
  severity: 'high',
  category: 'Supply Chain',
  remediation: 'r',
  match: { kinds: ['Pod'] },
  params: z.object({ registries: z.array(z.string()).min(1) }),
  rule: () => anyCheck,
});

const own = definePolicy({
  id: 'team-label',
  title: 'Team label',
  description: 'd',
  severity: 'low',
  category: 'Ownership',
  remediation: 'r',
  match: { kinds: ['Pod'] },
  rule: () =>
    rule([
      check({
        deny: eq(object('metadata.labels.team'), 'nobody'),
        message: ['no'],
        field: 'metadata.labels',
      }),
    ]),
});

const catalogue = [pssPolicy, registries];
const ids = (configs: { policy: { id: string } }[]) => configs.map((c) => c.policy.id);

describe('resolveConfig', () => {
  it('defaults to the restricted profile when nothing is selected', () => {
    expect(ids(resolveConfig(defineConfig({}), catalogue))).toEqual(['pss-thing']);
  });

  it('adds catalogue ids and the project policies, with parameters and enforcement', () => {
    const configs = resolveConfig(
      defineConfig({
        include: ['registries'],
        policies: [own],
        params: { registries: { registries: ['r.example.com/'] } },
        enforcement: { 'team-label': 'enforce' },
      }),
      catalogue,
    );
    expect(ids(configs)).toEqual(['registries', 'team-label']);
    expect(configs[0]?.params).toEqual({ registries: ['r.example.com/'] });
    expect(configs[1]?.enforcement).toBe('enforce');
    expect(
      ids(resolveConfig({ profile: 'baseline', policies: [own], exclude: ['pss-thing'] }, catalogue)),
    ).toEqual(['team-label']);
  });

  it('refuses unknown ids, clashing ids, bad parameters and bad shapes, naming the problem', () => {
    expect(() => resolveConfig({ include: ['nope'] }, catalogue)).toThrow('unknown policy "nope"');
    expect(() => resolveConfig({ policies: [registries] }, catalogue)).toThrow('already in the catalogue');
    expect(() => resolveConfig({ policies: [own, own] }, catalogue)).toThrow('defined twice');
    expect(() => resolveConfig({ include: ['registries'] }, catalogue)).toThrow(
      'invalid parameters for policy registries',
    );
    expect(() => resolveConfig({ params: { typo: {} } }, catalogue)).toThrow(
      'params names unknown policy "typo"',
    );
    expect(() => resolveConfig({ pssVersion: 'v2' }, catalogue)).toThrow();
    expect(() => resolveConfig({ profile: 'strict' } as never, catalogue)).toThrow('invalid configuration');
    expect(() => resolveConfig({ enforcement: { registries: 'block' } } as never, catalogue)).toThrow(
      'invalid configuration',
    );
  });
});
