import { definePolicy, type PolicyConfig, type PolicyException, resolvePolicy } from '@palisade/core';
import { policyById } from '@palisade/policies';
import { catalogueConfigs, catalogueFixtures, type TargetInputRequest } from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import type { GatekeeperOptions } from './build.js';
import { buildGatekeeperForTest } from './testing/build.js';

const NOW = new Date('2025-06-01T00:00:00Z');

function config(id: string, extra: Partial<PolicyConfig> = {}): PolicyConfig {
  const policy = policyById(id);
  const resolved = policy && resolvePolicy(policy);
  if (!resolved) throw new Error(`no policy ${id}`);
  return { ...resolved, ...extra };
}

function build(input: TargetInputRequest & GatekeeperOptions) {
  return buildGatekeeperForTest({ now: NOW, ...input });
}

function doc(files: Map<string, string>, path: string): unknown {
  const text = files.get(path);
  if (text === undefined) throw new Error(`no file ${path}`);
  return parse(text);
}

/** Reads a path of keys and indexes from parsed YAML. */
function at(value: unknown, ...path: (string | number)[]): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

describe('buildGatekeeperOutput', () => {
  it('is byte-stable: the same input gives the same files, whatever the order of policies', () => {
    const configs = catalogueConfigs();
    const input = { policies: configs, exceptions: [], fixtures: catalogueFixtures, now: NOW };
    const a = buildGatekeeperForTest(input);
    const b = buildGatekeeperForTest({ ...input, policies: [...configs].reverse() });
    expect([...a.files]).toEqual([...b.files]);
    expect([...a.files.keys()]).toEqual([...a.files.keys()].sort());
    for (const text of a.files.values()) expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
  });

  it('writes a template carrying CEL and Rego v1 code, with title, version and description', () => {
    const { files } = build({ policies: [config('disallow-privileged-containers')] });
    const template = doc(files, 'disallow-privileged-containers/template.yaml');
    expect(at(template, 'apiVersion')).toBe('templates.gatekeeper.sh/v1');
    expect(at(template, 'metadata', 'name')).toBe('palisadedisallowprivilegedcontainers');
    expect(at(template, 'spec', 'crd', 'spec', 'names', 'kind')).toBe('PalisadeDisallowPrivilegedContainers');
    expect(at(template, 'metadata', 'annotations')).toEqual({
      'metadata.gatekeeper.sh/title': 'Disallow Privileged Containers',
      'metadata.gatekeeper.sh/version': '1.0.0',
      description: policyById('disallow-privileged-containers')?.description,
    });
    const target = at(template, 'spec', 'targets', 0);
    expect(at(target, 'target')).toBe('admission.k8s.gatekeeper.sh');
    expect(at(target, 'rego')).toBeUndefined();
    expect([at(target, 'code', 0, 'engine'), at(target, 'code', 1, 'engine'), at(target, 'code', 2)]).toEqual(
      ['K8sNativeValidation', 'Rego', undefined],
    );
    expect(Object.keys(at(target, 'code', 0, 'source') as object)).toEqual(['variables', 'validations']);
    expect(at(target, 'code', 1, 'source', 'version')).toBe('v1');
    expect(at(target, 'code', 1, 'source', 'rego')).toMatch(
      /^violation contains \{"msg": msg, "details": \{"path": path\}\} if \{$/m,
    );
    expect(at(target, 'code', 1, 'source', 'libs', 0)).toMatch(/^package lib\.palisade$/m);
    expect(at(target, 'code', 1, 'source', 'libs', 1)).toBeUndefined();
  });

  it('turns a precondition into a CEL match condition', () => {
    const { files } = build({ policies: [config('require-ro-rootfs')], engines: ['cel'] });
    const source = at(
      doc(files, 'require-ro-rootfs/template.yaml'),
      'spec',
      'targets',
      0,
      'code',
      0,
      'source',
    );
    expect(at(source, 'matchCondition')).toEqual([
      { name: 'palisade-precondition', expression: expect.any(String) },
    ]);
  });

  it('writes a constraint matching Pod controllers by API group, with defaulted parameters', () => {
    const { files } = build({ policies: [config('require-requests-limits', { enforcement: 'enforce' })] });
    expect(doc(files, 'require-requests-limits/constraint.yaml')).toEqual({
      apiVersion: 'constraints.gatekeeper.sh/v1beta1',
      kind: 'PalisadeRequireRequestsLimits',
      metadata: { name: 'require-requests-limits' },
      spec: {
        enforcementAction: 'deny',
        match: {
          kinds: [
            { apiGroups: [''], kinds: ['Pod', 'ReplicationController'] },
            { apiGroups: ['apps'], kinds: ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'] },
            { apiGroups: ['batch'], kinds: ['Job', 'CronJob'] },
          ],
        },
        parameters: { requests: ['cpu', 'memory'], limits: ['memory'] },
      },
    });
  });

  it('maps enforcement: audit → dryrun, warn → warn, enforce → deny', () => {
    const actionOf = (enforcement: 'audit' | 'warn' | 'enforce') => {
      const { files } = build({ policies: [config('restrict-node-port', { enforcement })] });
      return at(doc(files, 'restrict-node-port/constraint.yaml'), 'spec', 'enforcementAction');
    };
    expect([actionOf('audit'), actionOf('warn'), actionOf('enforce')]).toEqual(['dryrun', 'warn', 'deny']);
  });

  it('carries match namespaces, excluded namespaces and label selectors', () => {
    const match = {
      kinds: ['Service'],
      namespaces: ['team-*', 'a?c'],
      excludedNamespaces: ['kube-system'],
      labelSelector: { matchLabels: { app: 'web' } },
    };
    const { files, problems } = build({ policies: [config('restrict-node-port', { match })] });
    expect(at(doc(files, 'restrict-node-port/constraint.yaml'), 'spec', 'match')).toEqual({
      kinds: [{ apiGroups: [''], kinds: ['Service'] }],
      namespaces: ['team-*'],
      excludedNamespaces: ['kube-system'],
      labelSelector: { matchLabels: { app: 'web' } },
    });
    expect(problems).toEqual([
      'policy restrict-node-port: match.namespaces "a?c" are not Gatekeeper wildcards (a * only at either end)',
    ]);
  });

  it('generates an OpenAPI v3 parameters schema with descriptions, defaults and enums, plus exemptImages and exemptResources', () => {
    const { files } = build({ policies: [config('require-requests-limits')] });
    const template = doc(files, 'require-requests-limits/template.yaml');
    expect(at(template, 'spec', 'crd', 'spec', 'validation', 'openAPIV3Schema')).toEqual({
      type: 'object',
      properties: {
        requests: {
          type: 'array',
          items: { type: 'string', enum: ['cpu', 'memory'] },
          description: 'Resources every container must request',
          default: ['cpu', 'memory'],
        },
        limits: {
          type: 'array',
          items: { type: 'string', enum: ['cpu', 'memory'] },
          description: 'Resources every container must limit',
          default: ['memory'],
        },
        exemptImages: expect.objectContaining({ type: 'array', items: { type: 'string' } }),
        exemptResources: expect.objectContaining({ type: 'array' }),
      },
    });
  });

  it('reports parameter schemas without a structural equivalent', () => {
    const policy = definePolicy({
      id: 'odd-params',
      title: 't',
      description: 'd',
      severity: 'low',
      category: 'c',
      remediation: 'r',
      match: { kinds: ['Service'] },
      params: z.object({
        either: z.union([z.string(), z.number()]).optional(),
        pair: z.tuple([z.string()]).optional(),
      }),
      rule: () => ({ checks: [{ deny: { all: [] }, message: ['x'], field: '' }] }),
    });
    const rule = policy.rule;
    if (!rule) throw new Error('no rule');
    const { files, problems } = build({ policies: [{ policy, rule }], engines: ['rego'] });
    const schema = at(
      doc(files, 'odd-params/template.yaml'),
      'spec',
      'crd',
      'spec',
      'validation',
      'openAPIV3Schema',
    );
    expect(at(schema, 'properties', 'either')).toEqual({ 'x-kubernetes-preserve-unknown-fields': true });
    expect(problems).toEqual([
      expect.stringContaining(
        'policy odd-params parameters.either: type ["string","number"] has no structural',
      ),
      expect.stringContaining(
        'policy odd-params parameters.pair: prefixItems, tuple items has no structural',
      ),
    ]);
  });

  it('writes kustomizations per policy and per profile', () => {
    const { files } = build({ policies: catalogueConfigs() });
    expect(doc(files, 'restrict-seccomp/kustomization.yaml')).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['template.yaml', 'constraint.yaml'],
    });
    const baseline = at(doc(files, 'profiles/baseline/kustomization.yaml'), 'resources');
    const restricted = at(doc(files, 'profiles/restricted/kustomization.yaml'), 'resources');
    expect(baseline).toHaveLength(12);
    expect(baseline).toContain('../../restrict-seccomp');
    expect(restricted).toHaveLength(15);
    expect(restricted).not.toContain('../../restrict-seccomp');
    expect(restricted).toContain('../../restrict-seccomp-strict');
  });

  it('leaves out fixtures the configured policy judges otherwise, and says so', () => {
    const fixtures = catalogueFixtures('restrict-image-registries');
    const { files, problems } = build({
      policies: [config('restrict-image-registries', { params: { registries: ['registry.example.com/'] } })],
      fixtures: () => fixtures,
    });
    const cases = at(doc(files, 'restrict-image-registries/suite.yaml'), 'tests', 0, 'cases') as unknown[];
    expect(cases.length).toBeLessThan(fixtures.length);
    expect(problems).toContainEqual(
      'policy restrict-image-registries: fixture allowed/pod-allowed-registries expects allowed but the policy as configured denies it; left out of the suite',
    );
  });

  it('quotes strings YAML 1.1 readers would take for booleans or numbers', () => {
    const runtimeClasses = ['yes', 'on', '0o17', '~', 'null'];
    const { files } = build({ policies: [config('require-runtime-class', { params: { runtimeClasses } })] });
    const text = files.get('require-runtime-class/constraint.yaml') ?? '';
    expect(text).toContain('- "yes"\n');
    expect(text).toContain('- "on"\n');
    expect(text).toContain('- "0o17"\n');
    expect(at(parse(text, { version: '1.1' }), 'spec', 'parameters', 'runtimeClasses')).toEqual(
      runtimeClasses,
    );
  });
});

describe('exceptions in constraints', () => {
  const exception = (
    name: string,
    match: PolicyException['match'],
    extra: Partial<PolicyException> = {},
  ): PolicyException => ({
    name,
    policies: ['restrict-image-registries'],
    reason: 'because',
    match,
    ...extra,
  });
  const registries = config('restrict-image-registries', {
    params: { registries: ['registry.example.com/'] },
  });

  it('expresses single-criterion exceptions as match criteria, the others as exemptResources data', () => {
    const exceptions: PolicyException[] = [
      exception('system', { namespaces: ['kube-*', 'gatekeeper-system'] }),
      exception('debug-images', { images: ['docker.io/library/busybox:*'] }),
      exception('legacy', { labels: { matchLabels: { tier: 'legacy' } } }),
      exception('batch', { kinds: ['Job', 'CronJob'] }),
      exception('tools', { labels: { matchExpressions: [{ key: 'tool', operator: 'Exists' }] } }),
      exception('one-app', { names: ['app-1'] }),
      exception('ns-and-images', { namespaces: ['dev'], images: ['*'] }),
      exception('two-labels', { labels: { matchLabels: { a: '1', b: '2' } } }),
      exception('odd-glob', { namespaces: ['team-?'] }),
      exception('expired', { namespaces: ['old'] }, { expires: '2025-05-31' }),
      exception('expiring', { namespaces: ['soon'] }, { expires: '2025-06-01' }),
      exception('other-policy', { namespaces: ['elsewhere'] }, { policies: ['restrict-node-port'] }),
      exception('everything', { namespaces: ['star'] }, { policies: ['*'] }),
    ];
    const { files, problems } = build({ policies: [registries], exceptions });
    const constraint = doc(files, 'restrict-image-registries/constraint.yaml');
    expect(at(constraint, 'spec', 'match')).toEqual({
      kinds: [
        { apiGroups: [''], kinds: ['Pod', 'ReplicationController'] },
        { apiGroups: ['apps'], kinds: ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'] },
      ],
      excludedNamespaces: ['kube-*', 'gatekeeper-system', 'soon', 'star'],
      labelSelector: {
        matchExpressions: [
          { key: 'tier', operator: 'NotIn', values: ['legacy'] },
          { key: 'tool', operator: 'DoesNotExist' },
        ],
      },
    });
    expect(at(constraint, 'spec', 'parameters')).toEqual({
      registries: ['registry.example.com/'],
      exemptImages: ['docker.io/library/busybox:*'],
      exemptResources: [
        { names: ['app-1'] },
        { namespaces: ['dev'], images: ['*'] },
        { labels: { matchLabels: { a: '1', b: '2' } } },
        { namespaces: ['team-?'] },
      ],
    });
    expect(at(constraint, 'metadata', 'annotations', 'palisade.dev/exceptions')).toBe(
      'system, debug-images, legacy, batch, tools, one-app, ns-and-images, two-labels, odd-glob, expiring (expires 2025-06-01), everything',
    );
    expect(problems).toEqual([
      'policy restrict-image-registries: exception "expiring" expires 2025-06-01; Gatekeeper has no expiry, so regenerate the output once it has expired',
    ]);
    expect(files.get('restrict-image-registries/constraint.yaml')).not.toContain('expired');
  });

  it('never lets kind exceptions empty the kinds (an empty list matches every kind)', () => {
    const { files, problems } = build({
      policies: [config('restrict-node-port')],
      exceptions: [exception('all', { kinds: ['Service'] }, { policies: ['restrict-node-port'] })],
    });
    expect(at(doc(files, 'restrict-node-port/constraint.yaml'), 'spec', 'match', 'kinds')).toEqual([
      { apiGroups: [''], kinds: ['Service'] },
    ]);
    expect(problems).toContain(
      'policy restrict-node-port: kind exceptions exempt every kind it matches; they are not applied',
    );
  });
});
