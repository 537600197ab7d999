import {
  bind,
  check,
  containers,
  definePolicy,
  eq,
  field,
  isTrue,
  msg,
  not,
  object,
  type Policy,
  type PolicyException,
  pod,
  resolvePolicy,
  rule,
} from '@palisade/core';
import { describe, expect, it } from 'vitest';
import { podBinding, Validator } from './engine.js';

/** The validator's `error` results for resources a policy cannot read (wrongly typed fields), end to end. */

const privileged = definePolicy({
  id: 'no-privileged',
  title: 'No privileged containers',
  description: 'd',
  severity: 'high',
  category: 'c',
  remediation: 'r',
  match: { kinds: ['Pod'] },
  rule: () =>
    rule([
      check({
        forEach: bind('c', containers()),
        deny: isTrue(field('c', 'securityContext.privileged')),
        message: msg`container "${field('c', 'name')}" is privileged`,
        field: 'securityContext.privileged',
      }),
    ]),
});
const linuxOnly = definePolicy({
  id: 'linux-host-network',
  title: 'No host network on Linux',
  description: 'd',
  severity: 'high',
  category: 'c',
  remediation: 'r',
  match: { kinds: ['Pod'] },
  rule: () =>
    rule(
      [
        check({
          deny: isTrue(pod('spec.hostNetwork')),
          message: ['host network'],
          field: 'spec.hostNetwork',
        }),
      ],
      not(eq(pod('spec.os.name'), 'windows')),
    ),
});
const namespaced = definePolicy({
  id: 'no-default-namespace',
  title: 'Not in default',
  description: 'd',
  severity: 'low',
  category: 'c',
  remediation: 'r',
  match: { kinds: ['Pod'] },
  rule: () =>
    rule([
      check({
        deny: eq(object('metadata.namespace'), 'default'),
        message: ['in default'],
        field: 'metadata.namespace',
        fieldFrom: 'object',
      }),
    ]),
});
const labelled = definePolicy({
  id: 'team-a-only',
  title: 'Team a',
  description: 'd',
  severity: 'low',
  category: 'c',
  remediation: 'r',
  match: { kinds: ['Pod'], labelSelector: { matchLabels: { team: 'a' } } },
  rule: () =>
    rule([check({ deny: isTrue(pod('spec.hostPID')), message: ['host PID'], field: 'spec.hostPID' })]),
});
const inNamespaces = definePolicy({
  id: 'prod-only',
  title: 'Prod',
  description: 'd',
  severity: 'low',
  category: 'c',
  remediation: 'r',
  match: { kinds: ['Pod'], namespaces: ['prod-*'] },
  rule: () =>
    rule([check({ deny: isTrue(pod('spec.hostIPC')), message: ['host IPC'], field: 'spec.hostIPC' })]),
});

const configs = (policies: Policy[]) =>
  policies.map((p) => {
    const resolved = resolvePolicy(p);
    if (!resolved) throw new Error(p.id);
    return resolved;
  });
const validator = (policies: Policy[], exceptions: PolicyException[] = []) =>
  new Validator({ policies: configs(policies), exceptions });
const statuses = (v: Validator, object: Record<string, unknown>) =>
  Object.fromEntries(v.validate(object).map((r) => [r.policy.id, `${r.status}: ${r.message}`]));

const podWith = (spec: unknown, metadata: Record<string, unknown> = { name: 'p', namespace: 'shop' }) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata,
  spec,
});
const deploymentWith = (spec: unknown) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', namespace: 'shop' },
  spec,
});

describe('error results for wrongly typed fields', () => {
  const v = validator([privileged, linuxOnly, namespaced]);
  it('privileged: "true" is an error naming the field; the other policies keep their results', () => {
    const results = v.validate(
      podWith({
        containers: [{ name: 'a' }, { name: 'b' }, { name: 'c', securityContext: { privileged: 'true' } }],
      }),
    );
    expect(results.map((r) => [r.policy.id, r.status, r.message])).toEqual([
      [
        'no-privileged',
        'error',
        'cannot evaluate: expected a boolean at spec.containers[2].securityContext.privileged, found a string ("true")',
      ],
      ['linux-host-network', 'pass', 'validation passed'],
      ['no-default-namespace', 'pass', 'validation passed'],
    ]);
    expect(results[0]?.violations.map((x) => x.path)).toEqual([
      ['spec', 'containers', 2, 'securityContext', 'privileged'],
    ]);
  });
  it('the path is the real one in a controller', () => {
    const d = deploymentWith({
      template: { spec: { containers: [{ name: 'a', securityContext: { privileged: 1 } }] } },
    });
    expect(statuses(v, d)['no-privileged']).toBe(
      'error: cannot evaluate: expected a boolean at spec.template.spec.containers[0].securityContext.privileged, found a number (1)',
    );
  });
  it('containers: "nginx:latest" is an error, not a pass', () => {
    expect(statuses(v, podWith({ containers: 'nginx:latest' }))['no-privileged']).toBe(
      'error: cannot evaluate: expected a list at spec.containers, found a string ("nginx:latest")',
    );
  });
  it('spec: 42 is an error for the policies that read the pod, in a Pod and in a controller', () => {
    expect(statuses(v, podWith(42))).toEqual({
      'no-privileged': 'error: cannot evaluate: expected an object at spec, found a number (42)',
      'linux-host-network': 'error: cannot evaluate: expected an object at spec, found a number (42)',
      'no-default-namespace': 'pass: validation passed',
    });
    expect(statuses(v, deploymentWith(42))['no-privileged']).toBe(
      'error: cannot evaluate: expected an object at spec, found a number (42)',
    );
  });
  it('a pod template that is a list (or a string) is an error at the template', () => {
    expect(
      statuses(v, deploymentWith({ template: [{ spec: { containers: [] } }] }))['linux-host-network'],
    ).toBe('error: cannot evaluate: expected an object at spec.template, found a list');
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c', namespace: 'shop' },
      spec: { jobTemplate: 'x' },
    };
    expect(statuses(v, cronJob)['no-privileged']).toBe(
      'error: cannot evaluate: expected an object at spec.jobTemplate, found a string ("x")',
    );
    expect(podBinding('CronJob', cronJob)).toEqual({ pod: 'x', path: ['spec', 'jobTemplate'] });
    expect(podBinding('Deployment', deploymentWith({}))).toEqual({
      pod: undefined,
      path: ['spec', 'template'],
    });
    expect(podBinding('Deployment', deploymentWith(null))).toEqual({
      pod: undefined,
      path: ['spec', 'template'],
    });
  });
  it('a mismatch in the precondition is an error, not a skip', () => {
    expect(statuses(v, podWith({ os: { name: 7 }, containers: [] }))['linux-host-network']).toBe(
      'error: cannot evaluate: expected a string at spec.os.name, found a number (7)',
    );
    expect(statuses(v, podWith({ os: 'linux', containers: [] }))['linux-host-network']).toBe(
      'error: cannot evaluate: expected an object at spec.os, found a string ("linux")',
    );
  });
  it('a resource exempted by an exception is not read, so it is skipped', () => {
    const exempt = validator(
      [privileged],
      [{ name: 'x', policies: ['*'], reason: 'r', match: { kinds: ['Pod'] } }],
    );
    expect(statuses(exempt, podWith({ containers: 'x' }))['no-privileged']).toMatch(/^skip: /);
  });
});

describe('error results for wrongly typed identity fields that matching reads', () => {
  const all = [privileged, labelled, inNamespaces];
  const okSpec = { containers: [{ name: 'a' }] };
  it('labels that are a list: an error for policies selecting by label, the others unaffected', () => {
    const results = statuses(
      validator(all),
      podWith(okSpec, { name: 'p', namespace: 'prod-1', labels: ['team=a'] }),
    );
    expect(results).toEqual({
      'no-privileged': 'pass: validation passed',
      'team-a-only': 'error: cannot evaluate: expected an object at metadata.labels, found a list',
      'prod-only': 'pass: validation passed',
    });
  });
  it('a label value that is not a string is an error for policies selecting by label', () => {
    const results = statuses(
      validator(all),
      podWith(okSpec, { name: 'p', namespace: 'prod-1', labels: { team: 1 } }),
    );
    expect(results['team-a-only']).toBe(
      'error: cannot evaluate: expected a string at metadata.labels.team, found a number (1)',
    );
  });
  it('a namespace that is not a string is an error for policies matching namespaces', () => {
    const results = statuses(
      validator(all),
      podWith(okSpec, { name: 'p', namespace: ['prod-1'], labels: { team: 'a' } }),
    );
    expect(results).toEqual({
      'no-privileged': 'pass: validation passed',
      'team-a-only': 'pass: validation passed',
      'prod-only': 'error: cannot evaluate: expected a string at metadata.namespace, found a list',
    });
  });
  it('metadata that is not an object is an error for every policy whose match reads it', () => {
    const results = statuses(validator(all), podWith(okSpec, 'x' as never));
    expect(results).toEqual({
      'no-privileged': 'pass: validation passed',
      'team-a-only': 'error: cannot evaluate: expected an object at metadata, found a string ("x")',
      'prod-only': 'error: cannot evaluate: expected an object at metadata, found a string ("x")',
    });
  });
  it('an exception selecting by labels or names cannot silently apply or not: the policies it covers error', () => {
    const byLabel: PolicyException = {
      name: 'legacy',
      policies: ['no-privileged'],
      reason: 'r',
      match: { labels: { matchLabels: { legacy: 'true' } } },
    };
    const byName: PolicyException = { name: 'named', policies: ['*'], reason: 'r', match: { names: ['p*'] } };
    const object = podWith(okSpec, { name: 'p', namespace: 'shop', labels: 'legacy' });
    expect(statuses(validator([privileged, namespaced], [byLabel]), object)).toEqual({
      'no-privileged':
        'error: cannot evaluate: expected an object at metadata.labels, found a string ("legacy")',
      'no-default-namespace': 'pass: validation passed',
    });
    expect(statuses(validator([privileged], [byName]), podWith(okSpec, { name: 5 }))).toEqual({
      'no-privileged': 'error: cannot evaluate: expected a string at metadata.name, found a number (5)',
    });
    // Well-typed identities match as before.
    expect(
      statuses(validator([privileged], [byName]), podWith(okSpec, { name: 'pod' }))['no-privileged'],
    ).toMatch(/^skip: exempted by exception named/);
  });
  it('a rule reading a wrongly typed metadata field errors too', () => {
    expect(statuses(validator([namespaced]), podWith(okSpec, { name: 'p', namespace: 3 }))).toEqual({
      'no-default-namespace':
        'error: cannot evaluate: expected a string at metadata.namespace, found a number (3)',
    });
  });
});
