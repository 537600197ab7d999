import { auditRbacRules, buildAuditManifests, UnknownKindError } from '@palisade/audit/manifests';
import {
  KIND_API_GROUPS,
  type PolicyException,
  resolveConfig,
  resolveTargetPolicies,
  resourceOf,
  type TargetInput,
} from '@palisade/core';
import { catalogue } from '@palisade/policies';
import { Validator } from '@palisade/validator';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { parseAuditOptions } from './audit-options.js';

/** The audit target's output, from a selection resolved as `palisade build` resolves it. */
function inputOf(
  config: Parameters<typeof resolveConfig>[0],
  exceptions: PolicyException[] = [],
): TargetInput {
  const now = new Date('2026-01-01T00:00:00Z');
  const policies = resolveTargetPolicies(resolveConfig(config, catalogue), { exceptions, now });
  return {
    policies,
    exceptions,
    pssVersion: 'latest',
    profiles: {},
    fixtures: () => [],
    oracle: () => ({ status: 'unmatched', messages: [] }),
    now,
  };
}

const IMAGE = 'ghcr.io/palisade-dev/palisade:0.1.0';
const build = (input: TargetInput, api: 'wgpolicyk8s' | 'openreports' = 'wgpolicyk8s') =>
  buildAuditManifests(input, { image: IMAGE, isCatalogue: () => true, reportApi: api });
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
/** The fields of the generated documents the tests read. */
const doc = (files: Map<string, string>, path: string) =>
  parse(files.get(path) as string) as { rules: Rule[]; data: Record<string, string> };

describe('the audit manifests', () => {
  it('grant get/list/watch on exactly the kinds Validator.kinds lists, and create/list/patch/delete on reports only', () => {
    const input = inputOf({ profile: 'restricted', include: ['disallow-default-namespace'] });
    const rules = doc(build(input).files, 'clusterrole.yaml').rules;
    const validatorKinds = new Validator({
      policies: resolveConfig({ profile: 'restricted', include: ['disallow-default-namespace'] }, catalogue),
    }).kinds;
    expect(validatorKinds).toContain('Secret');
    const expected = validatorKinds
      .map((kind) => `${KIND_API_GROUPS[kind]?.group}/${resourceOf(kind)}`)
      .sort();
    const read = (rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[]).slice(0, -1);
    expect(read.flatMap((r) => r.resources.map((res) => `${r.apiGroups[0]}/${res}`)).sort()).toEqual(
      expected,
    );
    expect(expected).toContain('/secrets');
    for (const rule of read) expect(rule.verbs).toEqual(['get', 'list', 'watch']);
    expect(rules.at(-1)).toEqual({
      apiGroups: ['wgpolicyk8s.io'],
      resources: ['clusterpolicyreports', 'policyreports'],
      verbs: ['create', 'delete', 'list', 'patch'],
    });
    const granted = (rules as { resources: string[] }[]).slice(0, -1).flatMap((r) => r.resources).length;
    expect(granted).toBe(validatorKinds.length);
  });

  it('grants the OpenReports kinds, and runs --report-api openreports, with --report-api openreports', () => {
    const { files } = build(inputOf({ profile: 'baseline' }), 'openreports');
    expect(doc(files, 'clusterrole.yaml').rules.at(-1)).toEqual({
      apiGroups: ['openreports.io'],
      resources: ['clusterreports', 'reports'],
      verbs: ['create', 'delete', 'list', 'patch'],
    });
    expect(files.get('cronjob.yaml')).toContain('openreports');
    expect(files.get('deployment.yaml')).toContain('openreports');
    expect(files.get('clusterrole.yaml')).not.toContain('wgpolicyk8s');
  });

  it('refuses a kind whose API group is unknown, naming it and the policy', () => {
    const [policy] = inputOf({ include: ['disallow-latest-tag'] }).policies;
    if (policy === undefined) throw new Error('no policy');
    const custom = { ...policy, match: { ...policy.match, kinds: ['Widget'] } };
    expect(() => auditRbacRules([custom], 'wgpolicyk8s')).toThrow(UnknownKindError);
    expect(() => auditRbacRules([custom], 'wgpolicyk8s')).toThrow(/disallow-latest-tag matches kind Widget/);
  });

  it('is deterministic', () => {
    const a = build(inputOf({ profile: 'restricted' }));
    const b = build(inputOf({ profile: 'restricted' }));
    expect([...a.files]).toEqual([...b.files]);
  });

  it('carries hostile parameters as data: YAML and the config module read back as written', async () => {
    const hostile = 'evil/"};process.exit(1);//\u2028\n: - {x}';
    const input = inputOf({
      include: ['restrict-image-registries'],
      params: { 'restrict-image-registries': { registries: [hostile] } },
    });
    const { files } = build(input);
    const data = doc(files, 'configmap.yaml').data as Record<string, string>;
    const module = data['palisade.config.mjs'] as string;
    const loaded = (await import(`data:text/javascript,${encodeURIComponent(module)}`)) as {
      default: { params: Record<string, { registries: string[] }> };
    };
    expect(loaded.default.params['restrict-image-registries']?.registries).toEqual([hostile]);
  });

  it('puts the exceptions of the selected policies in the ConfigMap', () => {
    const exception: PolicyException = {
      name: 'legacy',
      policies: ['disallow-latest-tag'],
      reason: 'legacy app',
      match: { namespaces: ['legacy'] },
    };
    const { files } = build(inputOf({ include: ['disallow-latest-tag'] }, [exception]));
    const data = doc(files, 'configmap.yaml').data as Record<string, string>;
    expect(data['palisade.config.mjs']).toContain('"exceptions": [\n    "exceptions.yaml"');
    expect(parseAllDocuments(data['exceptions.yaml'] as string).map((d) => d.toJS())).toEqual([
      {
        apiVersion: 'palisade.dev/v1alpha1',
        kind: 'PolicyException',
        metadata: { name: 'legacy' },
        spec: { policies: ['disallow-latest-tag'], reason: 'legacy app', match: { namespaces: ['legacy'] } },
      },
    ]);
  });

  it('leaves a policy not in the catalogue out, with a note', () => {
    const input = inputOf({ include: ['disallow-latest-tag', 'require-probes'] });
    const out = buildAuditManifests(input, { image: IMAGE, isCatalogue: (id) => id !== 'require-probes' });
    expect(out.notes).toEqual([expect.stringMatching(/^require-probes: left out of the in-cluster audit/)]);
    expect(out.files.get('configmap.yaml')).not.toContain('require-probes');
  });

  it('applies a single-writer Deployment running --watch; the CronJob is the alternative with the same pod', () => {
    const { files } = build(inputOf({ profile: 'restricted' }));
    const kustomization = parse(files.get('kustomization.yaml') as string) as { resources: string[] };
    expect(kustomization.resources).toContain('deployment.yaml');
    expect(kustomization.resources).not.toContain('cronjob.yaml');
    type Pod = { containers: { args: string[] }[]; restartPolicy?: string; [k: string]: unknown };
    const deployment = parse(files.get('deployment.yaml') as string) as {
      kind: string;
      spec: { replicas: number; strategy: { type: string }; template: { spec: Pod } };
    };
    expect(deployment.kind).toBe('Deployment');
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    const watchPod = deployment.spec.template.spec;
    const watchArgs = watchPod.containers[0]?.args ?? [];
    expect(watchArgs.slice(0, 3)).toEqual(['audit', '--watch', '--write-reports']);
    // What the pod runs is a command line the CLI takes.
    expect(parseAuditOptions(watchArgs.slice(1))).toMatchObject({
      watch: true,
      writeReports: true,
      reportApi: 'wgpolicyk8s',
      reportResults: 'violations',
      selection: { kind: 'config', file: '/etc/palisade/palisade.config.mjs' },
    });
    expect(watchPod.restartPolicy).toBeUndefined();
    const cronjob = parse(files.get('cronjob.yaml') as string) as {
      spec: { jobTemplate: { spec: { template: { spec: Pod } } } };
    };
    const jobPod = cronjob.spec.jobTemplate.spec.template.spec;
    // The V8 heap is capped below the container's memory limit.
    const container = watchPod.containers[0] as unknown as {
      env: { name: string; value: string }[];
      resources: { limits: { memory: string } };
    };
    const heap = /^--max-old-space-size=(\d+)$/.exec(
      container.env.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '',
    );
    expect(Number(heap?.[1])).toBeLessThan(Number.parseInt(container.resources.limits.memory, 10));
    const jobArgs = jobPod.containers[0]?.args ?? [];
    expect(jobArgs.slice(0, 2)).toEqual(['audit', '--write-reports']);
    expect(parseAuditOptions(jobArgs.slice(1))).toMatchObject({ watch: false, reportResults: 'violations' });
    // The same pod spec but for what a Job and a watch differ in.
    const strip = ({ containers, restartPolicy: _r, terminationGracePeriodSeconds: _t, ...rest }: Pod) => ({
      ...rest,
      containers: containers.map((c) => ({ ...c, args: c.args.filter((a) => a !== '--watch') })),
    });
    expect(strip(jobPod)).toEqual(strip(watchPod));
  });

  it('gives a Deployment and a CronJob that pass the restricted profile and the hardening policies', () => {
    const { files } = build(inputOf({ profile: 'restricted' }));
    // What the deployer supplies: the image pinned by digest (kustomize edit set image), from its registry.
    const pinned = (text: string) => text.replace(IMAGE, `${IMAGE}@sha256:${'a'.repeat(64)}`);
    const validator = new Validator({
      policies: resolveConfig(
        {
          profile: 'restricted',
          include: catalogue
            .map((p) => p.id)
            .filter((id) => !['require-probes', 'require-runtime-class'].includes(id)),
          params: { 'restrict-image-registries': { registries: ['ghcr.io/palisade-dev/'] } },
        },
        catalogue,
      ),
    });
    const paths = [
      'namespace.yaml',
      'serviceaccount.yaml',
      'configmap.yaml',
      'deployment.yaml',
      'cronjob.yaml',
    ];
    for (const path of paths) {
      const object = parse(pinned(files.get(path) as string)) as Record<string, unknown>;
      const bad = validator.validate(object).filter((r) => r.status !== 'pass');
      expect(
        bad.map((r) => `${r.policy.id}: ${r.message}`),
        path,
      ).toEqual([]);
    }
  });
});
