import { describe, expect, it } from 'vitest';
import { check, eq, pod, rule } from './builder.js';
import { definePolicy, type PssControl } from './policy.js';
import { resolvePolicy, resolveProfile, selectPolicies } from './profiles.js';
import { parsePssVersion } from './pss-version.js';

const r = (name: string) =>
  rule([check({ deny: eq(pod(`spec.${name}`), true), message: [name], field: '' })]);
const policy = (id: string, pss: PssControl[]) =>
  definePolicy({
    id,
    title: id,
    description: id,
    severity: 'low',
    category: 'c',
    remediation: 'r',
    match: { kinds: ['Pod'] },
    pss,
  });

const catalogue = [
  policy('base-a', [
    {
      level: 'baseline',
      check: 'a',
      revisions: [
        { since: '1.0', rule: r('a0') },
        { since: '1.25', rule: r('a25') },
      ],
    },
  ]),
  policy('base-b', [{ level: 'baseline', check: 'b', revisions: [{ since: '1.0', rule: r('b') }] }]),
  policy('strict-b', [
    {
      level: 'restricted',
      check: 'b_restricted',
      revisions: [{ since: '1.22', rule: r('sb'), overrides: ['base-b'] }],
    },
  ]),
  policy('new-c', [{ level: 'baseline', check: 'c', revisions: [{ since: '1.34', rule: r('c') }] }]),
  policy('self-d', [
    { level: 'baseline', check: 'd', revisions: [{ since: '1.0', rule: r('d') }] },
    {
      level: 'restricted',
      check: 'd_restricted',
      revisions: [{ since: '1.35', rule: r('dr'), overrides: ['self-d'] }],
    },
  ]),
];
const ids = (level: 'baseline' | 'restricted', version: string) =>
  resolveProfile(level, version, catalogue).map(
    (x) => `${x.policy.id}:${x.pssCheck}:${(x.rule.checks[0]?.message[0] as string) ?? ''}`,
  );

describe('resolveProfile', () => {
  it('takes the newest revision at or below the version', () => {
    expect(ids('baseline', 'v1.24')).toContain('base-a:a:a0');
    expect(ids('baseline', 'v1.25')).toContain('base-a:a:a25');
    expect(ids('baseline', 'latest')).toContain('base-a:a:a25');
  });
  it('leaves out checks that do not exist yet at the version', () => {
    expect(ids('baseline', 'v1.33').some((x) => x.startsWith('new-c'))).toBe(false);
    expect(ids('baseline', 'v1.34')).toContain('new-c:c:c');
  });
  it('replaces overridden baseline checks in restricted only while the override is in force', () => {
    expect(ids('restricted', 'v1.21')).toContain('base-b:b:b');
    expect(ids('restricted', 'v1.21').some((x) => x.startsWith('strict-b'))).toBe(false);
    expect(ids('restricted', 'v1.22')).toContain('strict-b:b_restricted:sb');
    expect(ids('restricted', 'v1.22').some((x) => x.startsWith('base-b'))).toBe(false);
    expect(ids('baseline', 'latest')).toContain('base-b:b:b');
  });
  it('lets a policy override its own baseline check with a restricted one', () => {
    expect(ids('restricted', 'v1.34')).toContain('self-d:d:d');
    expect(ids('restricted', 'v1.35')).toContain('self-d:d_restricted:dr');
    expect(ids('restricted', 'v1.35').filter((x) => x.startsWith('self-d'))).toHaveLength(1);
    expect(ids('baseline', 'v1.35')).toContain('self-d:d:d');
  });
});

describe('versions and selection', () => {
  it('parses versions like upstream and clamps newer ones to the newest known', () => {
    expect(parsePssVersion('v1.25')).toEqual({ major: 1, minor: 25 });
    expect(parsePssVersion('1.25')).toEqual({ major: 1, minor: 25 });
    expect(parsePssVersion('v1.99')).toEqual(parsePssVersion('latest'));
    expect(() => parsePssVersion('v2.0')).toThrow(/latest/);
    expect(() => parsePssVersion('1.025')).toThrow();
  });
  it('resolves a lone PSS policy at its lowest level', () => {
    expect(resolvePolicy(catalogue[4]!, 'latest')?.pssCheck).toBe('d');
    expect(resolvePolicy(catalogue[3]!, 'v1.30')).toBeUndefined();
  });
  it('combines a profile with extra policies and exclusions, and rejects unknown ids', () => {
    const chosen = selectPolicies(catalogue, {
      profile: 'baseline',
      version: 'latest',
      exclude: ['base-a'],
      include: ['strict-b'],
    });
    expect(chosen.map((c) => c.policy.id).sort()).toEqual(['base-b', 'new-c', 'self-d', 'strict-b']);
    expect(() => selectPolicies(catalogue, { include: ['nope'] })).toThrow(/unknown policy "nope"/);
  });
});
