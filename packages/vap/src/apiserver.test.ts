import type { PolicyConfig, PolicyException } from '@palisade/core';
import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { type KubeCluster, startCluster } from '@palisade/kube-harness';
import {
  catalogueConfigs,
  fixtureCorpus,
  generatedCorpus,
  HOSTILE_EXCEPTION,
  HOSTILE_PARAMS,
  restrictedAndHardening,
} from '@palisade/testing';
import { Validator } from '@palisade/validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vapObjects } from './output.js';
import { MESSAGE_CUT_CODE_POINTS, MESSAGE_EXPRESSION_BYTES } from './policy.js';
import {
  type AdmissionVerdict,
  admit,
  createNamespaces,
  eventually,
  installPolicies,
  pool,
  prunedFields,
  removePolicies,
  warningsAgree,
  warningsWhole,
} from './testing/admission.js';

/**
 * The generated ValidatingAdmissionPolicies in a real kube-apiserver (v1.36.3, @palisade/kube-harness): accepted
 * with strict field validation and stored as written, and the API server's verdict and message equal the
 * validator's on every catalogue fixture and a generated corpus (PALISADE_VAP_CORPUS objects, default 2,000;
 * PALISADE_VAP_SEED its seed), under Warn (every failing policy is reported) and Deny.
 */
const SIZE = Number(process.env.PALISADE_VAP_CORPUS ?? 2000);
const SEED = Number(process.env.PALISADE_VAP_SEED ?? 20260);
const NOW = new Date();
const WIDTH = 8;

type Corpus = { id: string; object: Record<string, unknown> }[];

/** The namespace the API server admits the object in (the harness posts to `default` without one). */
function namespaceOf(object: Record<string, unknown>): string {
  const namespace = (object.metadata as { namespace?: unknown } | undefined)?.namespace;
  return typeof namespace === 'string' && namespace !== '' ? namespace : 'default';
}

const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/**
 * The object in a form the API server can admit, when it differs: ephemeral containers cannot be set on create
 * (they are added through the pods/ephemeralcontainers subresource), and a Job's or CronJob's pod template needs
 * `restartPolicy` OnFailure or Never, which neither the fixtures nor the generated Pods set. The validator judges
 * the admitted object, so the comparison is unchanged; only objects the API server would refuse become usable.
 */
function admissible(o: Corpus[number]): Corpus[number] | undefined {
  const path = POD_SPEC_PATHS[String(o.object.kind)];
  if (path === undefined) return undefined;
  const object = structuredClone(o.object);
  let node: unknown = object;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const spec = node as Record<string, unknown>;
  let changed = false;
  if ('ephemeralContainers' in spec) {
    delete spec.ephemeralContainers;
    changed = true;
  }
  const job = o.object.kind === 'Job' || o.object.kind === 'CronJob';
  if (job && spec.restartPolicy !== 'OnFailure' && spec.restartPolicy !== 'Never') {
    spec.restartPolicy = 'Never';
    changed = true;
  }
  return changed ? { id: `${o.id}+admissible`, object } : undefined;
}

const withEnforcement = (configs: readonly PolicyConfig[], enforcement: 'warn' | 'enforce') =>
  configs.map((c): PolicyConfig => ({ ...c, enforcement }));

/** The validator's failing policies (id → message) on the object as the API server admitted it. */
function failures(validator: Validator, object: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of validator.validate(object)) {
    if (r.status === 'fail' || r.status === 'warn') out.set(r.policy.id, asAdmissionMessage(r.message));
    if (r.status === 'error') out.set(r.policy.id, `error: ${r.message}`);
  }
  return out;
}

/** The validator's message as the policy's messageExpression gives it: on one line, over 5 KiB cut (policy.ts). */
function asAdmissionMessage(validatorMessage: string): string {
  // Line breaks (from parameters or the object) become spaces: the API server refuses multi-line messages.
  const message = validatorMessage.replaceAll('\n', ' ');
  if (new TextEncoder().encode(message).length <= MESSAGE_EXPRESSION_BYTES) return message;
  return `${[...message].slice(0, MESSAGE_CUT_CODE_POINTS).join('')} … (truncated)`;
}

const show = (m: Map<string, string>) =>
  JSON.stringify(Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1))));

describe('generated ValidatingAdmissionPolicies in a real kube-apiserver', {
  timeout: ENGINE_TEST_TIMEOUT_MS,
}, () => {
  let c: KubeCluster;
  beforeAll(async () => {
    c = await startCluster();
  }, ENGINE_TEST_TIMEOUT_MS);
  afterAll(() => c?.stop());

  it('accepts every generated policy and binding with strict field validation, and stores them as written', async () => {
    const variants: { name: string; configs: PolicyConfig[] }[] = [
      { name: 'catalogue', configs: catalogueConfigs() },
      { name: 'defaults', configs: catalogueConfigs().map((c) => ({ ...c, params: undefined })) },
      { name: 'hostile', configs: restrictedAndHardening(HOSTILE_PARAMS) },
      {
        name: 'hostile exception',
        configs: withEnforcement(restrictedAndHardening(HOSTILE_PARAMS), 'enforce'),
      },
    ];
    let documents = 0;
    for (const [v, variant] of variants.entries()) {
      const exceptions = variant.name === 'hostile exception' ? [HOSTILE_EXCEPTION] : [];
      let configs = variant.configs;
      // Policies whose parameters are required cannot be built without them.
      if (variant.name === 'defaults') configs = configs.filter((c) => safeDefaults(c));
      for (const { id, policy, binding } of vapObjects(configs, { exceptions, now: NOW })) {
        // Each variant under its own names, so all are created (not applied) and read back.
        const name = `${id}-${v}`;
        const renamedPolicy: Record<string, unknown> = {
          ...policy,
          metadata: { ...(policy.metadata as object), name },
        };
        const renamedBinding: Record<string, unknown> = {
          ...binding,
          metadata: { name },
          spec: { ...(binding.spec as object), policyName: name },
        };
        for (const document of [renamedPolicy, renamedBinding]) {
          const res = await c.create(document, { fieldValidation: 'Strict' });
          expect(res.status, `${variant.name} ${document.kind} ${id}: ${JSON.stringify(res.body)}`).toBe(201);
          expect(res.warnings, `${variant.name} ${document.kind} ${id}`).toEqual([]);
          const path = `${await c.collectionPath(String(document.apiVersion), String(document.kind))}/${name}`;
          const stored = await c.request({ method: 'GET', path });
          expect(prunedFields(document, stored.body), `${variant.name} ${document.kind} ${id}`).toEqual([]);
          documents++;
        }
      }
    }
    console.log(`vap acceptance: ${documents} documents created with fieldValidation=Strict and read back`);
    await removePolicies(c);
  });

  it(`gives the validator's verdicts and messages on every fixture and ${SIZE} admitted generated objects (seed ${SEED})`, async () => {
    const warnConfigs = withEnforcement(restrictedAndHardening(), 'warn');
    const validator = new Validator({ policies: warnConfigs, now: NOW });
    // Every fixture as written, and also in a form the API server admits when it would refuse it as written.
    const fixtures: Corpus = fixtureCorpus().flatMap((o) => {
      const repaired = admissible(o);
      return repaired ? [o, repaired] : [o];
    });
    await createNamespaces(
      c,
      [...fixtures, ...generatedCorpus(200, SEED)].map((o) => namespaceOf(o.object)),
    );

    // Warn pass: every policy reports its failure as a warning, so each object shows every policy's verdict.
    await installPolicies(c, warnConfigs, { now: NOW });
    const waited = await waitUntilEnforced(c, fixtures, validator, (v, id) => v.warned.has(id));
    const disagreements: string[] = [];
    /** Objects admission evaluated, with the validator's failures on them as admitted. */
    const evaluated: { id: string; object: Record<string, unknown>; want: Map<string, string> }[] = [];
    const refused: string[] = [];
    let requests = 0;
    let defaultingChanged = 0;
    /** Objects whose warnings the API server cut or dropped (its 4,096-rune warning budget). */
    let budgetCut = 0;
    const warnPass = async (objects: Corpus): Promise<number> => {
      const verdicts = await pool(objects, WIDTH, (o) => admit(c, o.object));
      requests += objects.length;
      let admitted = 0;
      for (const [i, verdict] of verdicts.entries()) {
        const o = objects[i] as Corpus[number];
        if (verdict.admitted === undefined) {
          // Refused before admission policies run (decoding, field or schema validation); a denial is wrong here.
          if (verdict.denied)
            disagreements.push(`${o.id}: denied under Warn: ${JSON.stringify(verdict.denied)}`);
          else refused.push(`${o.id}: ${verdict.status} ${verdict.refused}`);
          continue;
        }
        admitted++;
        // The validator judges what admission saw: the object after the API server's defaulting.
        const want = failures(validator, verdict.admitted);
        if (show(want) !== show(failures(validator, o.object))) defaultingChanged++;
        evaluated.push({ ...o, want });
        if (!warningsWhole(want, verdict.policyWarnings)) budgetCut++;
        if (!warningsAgree(want, verdict.policyWarnings, verdict.otherWarnings)) {
          disagreements.push(
            `${o.id} ${JSON.stringify(o.object)}\n  validator:  ${show(want)}\n  API server: ${JSON.stringify(verdict.policyWarnings)}`,
          );
        }
      }
      return admitted;
    };
    let started = performance.now();
    const fixturesAdmitted = await warnPass(fixtures);
    // The generated corpus is adversarial: most objects are invalid Kubernetes objects, refused before admission
    // runs. Batches are generated (seed, seed + 1, …) until SIZE of them were evaluated by the policies.
    let generatedAdmitted = 0;
    let generated = 0;
    for (let batch = 0; generatedAdmitted < SIZE && batch < 40; batch++) {
      const objects = generatedCorpus(1000, SEED + batch).map((o) => {
        const named = { ...o, id: `b${batch}-${o.id}` };
        return admissible(named) ?? named;
      });
      generated += objects.length;
      generatedAdmitted += await warnPass(objects);
    }
    const warnMs = Math.round(performance.now() - started);

    // Deny pass: the same policies enforced; one denial per request, by a policy the validator says fails.
    await installPolicies(c, withEnforcement(restrictedAndHardening(), 'enforce'), { now: NOW });
    const waitedDeny = await waitUntilEnforced(c, fixtures, validator, (v) => v.denied !== undefined);
    started = performance.now();
    const denyVerdicts = await pool(evaluated, WIDTH, (o) => admit(c, o.object));
    requests += evaluated.length;
    const denyMs = Math.round(performance.now() - started);
    let denied = 0;
    for (const [i, verdict] of denyVerdicts.entries()) {
      const { id, object, want } = evaluated[i] as (typeof evaluated)[number];
      if (verdict.denied) denied++;
      const ok =
        want.size === 0
          ? verdict.admitted !== undefined
          : verdict.denied !== undefined && want.get(verdict.denied.policy) === verdict.denied.message;
      if (!ok) {
        disagreements.push(
          `deny ${id} ${JSON.stringify(object)}\n  validator:  ${show(want)}\n  API server: ${verdict.status} ${JSON.stringify(verdict.denied ?? verdict.refused ?? 'admitted')}`,
        );
      }
    }
    await removePolicies(c);
    const failing = evaluated.filter((e) => e.want.size > 0).length;
    const byKind = new Map<string, number>();
    for (const e of evaluated)
      byKind.set(String(e.object.kind), (byKind.get(String(e.object.kind)) ?? 0) + 1);
    console.log(
      `vap differential: ${fixtures.length} fixtures (${fixturesAdmitted} admitted for evaluation) and ${generated} ` +
        `generated objects (${generatedAdmitted} admitted); ${refused.length} refused by API validation before ` +
        `admission policies; ${evaluated.length} objects evaluated by ${warnConfigs.length} policies, ${failing} failing ` +
        `some policy, ${defaultingChanged} whose verdicts the API server's defaulting changed, ${budgetCut} whose ` +
        `warnings the API server cut to its budget. Warn pass ` +
        `${requests - evaluated.length} requests in ${warnMs} ms, Deny pass ${evaluated.length} requests in ${denyMs} ms ` +
        `(${denied} denied); policies took effect after ${waited} ms (Warn) and ${waitedDeny} ms (Deny); ` +
        `${disagreements.length} disagreements`,
    );
    console.log(`evaluated per kind: ${JSON.stringify(Object.fromEntries([...byKind].sort()))}`);
    console.log(`refused by API validation (first 10):\n${refused.slice(0, 10).join('\n')}`);
    expect(disagreements.slice(0, 20).join('\n')).toBe('');
    expect(generatedAdmitted).toBeGreaterThanOrEqual(SIZE);
    expect(failing).toBeGreaterThan(100);
    expect(denied).toBe(failing);
    // Pods and every Pod controller, read through its pod template.
    for (const kind of [
      'Pod',
      'Deployment',
      'ReplicaSet',
      'StatefulSet',
      'DaemonSet',
      'Job',
      'CronJob',
      'ReplicationController',
    ])
      expect(byKind.get(kind) ?? 0, kind).toBeGreaterThanOrEqual(Math.max(1, Math.floor(SIZE / 40)));
  });

  it('treats hostile parameter values as data: an image under a hostile prefix is admitted, others denied', async () => {
    const registries = (HOSTILE_PARAMS['restrict-image-registries'] as { registries: string[] }).registries;
    const configs = restrictedAndHardening(HOSTILE_PARAMS)
      .filter((c) => c.policy.id === 'restrict-image-registries')
      .map((c): PolicyConfig => ({ ...c, enforcement: 'enforce' }));
    const validator = new Validator({ policies: configs, now: NOW });
    await createNamespaces(c, ['shop']);
    await installPolicies(c, configs, { now: NOW });
    const pod = (image: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hostile-image', namespace: 'shop' },
      spec: { containers: [{ name: 'app', image }] },
    });
    const outside = pod('docker.io/library/nginx:1.27');
    await eventually(
      'restrict-image-registries to deny',
      async () => (await admit(c, outside)).denied !== undefined,
    );
    const objects = [...registries.map((prefix) => pod(`${prefix}app:1`)), outside];
    let admitted = 0;
    let denied = 0;
    let refused = 0;
    const disagreements: string[] = [];
    for (const object of objects) {
      const verdict = await admit(c, object);
      // The API server refuses some images itself (leading or trailing white space).
      if (verdict.refused !== undefined) {
        refused++;
        continue;
      }
      const want = failures(validator, verdict.admitted ?? object);
      if (verdict.admitted) admitted++;
      if (verdict.denied) denied++;
      const ok =
        want.size === 0
          ? verdict.admitted !== undefined
          : verdict.denied?.message === want.get('restrict-image-registries');
      if (!ok)
        disagreements.push(
          `${JSON.stringify(object)}: validator ${show(want)}, API server ${JSON.stringify(verdict)}`,
        );
    }
    console.log(
      `vap hostile parameters: ${registries.length} hostile prefixes, ${admitted} images admitted, ${denied} denied, ` +
        `${refused} refused by API validation`,
    );
    expect(disagreements.join('\n')).toBe('');
    expect(admitted).toBeGreaterThan(registries.length / 2);
    expect(denied).toBe(1);
    await removePolicies(c);
  });

  it('admits what an exception covers, in its namespace only; expired exceptions are left out', async () => {
    const exceptions: PolicyException[] = [
      {
        name: 'legacy-privileged',
        policies: ['disallow-privileged-containers'],
        reason: 'legacy workloads',
        match: { namespaces: ['legacy'] },
      },
      {
        name: 'debug-images',
        policies: ['disallow-privileged-containers'],
        reason: 'debug tooling',
        match: { namespaces: ['tools'], images: ['debug.example.com/*'] },
      },
      {
        name: 'expired',
        policies: ['disallow-privileged-containers'],
        reason: 'gone',
        expires: '2020-01-01',
        match: { namespaces: ['old'] },
      },
      {
        name: 'expiring',
        policies: ['disallow-privileged-containers'],
        reason: 'until the migration',
        expires: '2099-12-31',
        match: { namespaces: ['temp'] },
      },
    ];
    const configs = restrictedAndHardening()
      .filter((c) => c.policy.id === 'disallow-privileged-containers')
      .map((c): PolicyConfig => ({ ...c, enforcement: 'enforce' }));
    const validator = new Validator({ policies: configs, exceptions, now: NOW });
    await createNamespaces(c, ['legacy', 'tools', 'old', 'temp', 'shop']);
    await installPolicies(c, configs, { exceptions, now: NOW });
    const pod = (namespace: string, images: string[]) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'privileged', namespace },
      spec: {
        containers: images.map((image, i) => ({
          name: `c${i}`,
          image,
          securityContext: { privileged: true },
        })),
      },
    });
    const cases = [
      { object: pod('legacy', ['registry.example.com/app:1']), admitted: true },
      { object: pod('shop', ['registry.example.com/app:1']), admitted: false },
      { object: pod('old', ['registry.example.com/app:1']), admitted: false },
      { object: pod('temp', ['registry.example.com/app:1']), admitted: true },
      { object: pod('tools', ['debug.example.com/shell:1']), admitted: true },
      { object: pod('tools', ['debug.example.com/shell:1', 'registry.example.com/app:1']), admitted: false },
      { object: pod('shop', ['debug.example.com/shell:1']), admitted: false },
    ];
    await eventually(
      'disallow-privileged-containers to deny',
      async () => (await admit(c, cases[1]?.object ?? {})).denied !== undefined,
    );
    for (const { object, admitted } of cases) {
      const verdict = await admit(c, object);
      const want = failures(validator, verdict.admitted ?? object);
      const where =
        JSON.stringify(object.metadata) + JSON.stringify(object.spec.containers.map((x) => x.image));
      expect(want.size === 0, `validator on ${where}`).toBe(admitted);
      expect(
        verdict.admitted !== undefined,
        `API server on ${where}: ${JSON.stringify(verdict.denied)}`,
      ).toBe(admitted);
      if (!admitted) expect(verdict.denied?.message).toBe(want.get('disallow-privileged-containers'));
    }
    await removePolicies(c);
  });

  it("cuts a message over the API server's 5 KiB limit instead of losing it to the static message", async () => {
    const configs = restrictedAndHardening()
      .filter((c) => c.policy.id === 'disallow-privileged-containers')
      .map((c): PolicyConfig => ({ ...c, enforcement: 'enforce' }));
    const validator = new Validator({ policies: configs, now: NOW });
    await createNamespaces(c, ['shop']);
    await installPolicies(c, configs, { now: NOW });
    const containers = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        name: `c${i}-${'x'.repeat(55)}`.slice(0, 63),
        image: 'registry.example.com/app:1',
        securityContext: { privileged: true },
      }));
    const pod = (n: number) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'many', namespace: 'shop' },
      spec: { containers: containers(n) },
    });
    await eventually(
      'disallow-privileged-containers to deny',
      async () => (await admit(c, pod(1))).denied !== undefined,
    );
    for (const n of [1, 40, 80]) {
      const verdict = await admit(c, pod(n));
      const message = validator.validate(pod(n)).find((r) => r.status === 'fail')?.message ?? '';
      expect(verdict.denied?.message, `${n} containers`).toBe(asAdmissionMessage(message));
      if (n === 80) {
        expect(new TextEncoder().encode(message).length).toBeGreaterThan(MESSAGE_EXPRESSION_BYTES);
        expect(verdict.denied?.message.endsWith(' … (truncated)')).toBe(true);
      }
    }
    await removePolicies(c);
  });
});

/** Policies that can be built from their defaults alone (required parameters have no default). */
function safeDefaults(config: PolicyConfig): boolean {
  return config.policy.params.safeParse({}).success;
}

/**
 * Waits until every policy is enforced: for each policy some object of the corpus fails it (per the validator),
 * and the API server's verdict on that object shows it (`shows`).
 */
async function waitUntilEnforced(
  c: KubeCluster,
  corpus: Corpus,
  validator: Validator,
  shows: (verdict: AdmissionVerdict, policy: string) => boolean,
): Promise<number> {
  // Candidate probes per policy, objects failing only this policy first (a Deny by another policy must not stand
  // in for it); objects the API server refuses before admission are dropped as they show up.
  const candidates = new Map<string, Record<string, unknown>[]>();
  for (const { object } of corpus) {
    const failing = failures(validator, object);
    for (const id of failing.keys()) {
      const list = candidates.get(id) ?? [];
      if (failing.size === 1) list.unshift(object);
      else list.push(object);
      candidates.set(id, list);
    }
  }
  const pending = new Map([...candidates].map(([id, list]) => [id, list.slice(0, 20)]));
  const last = new Map<string, string>();
  try {
    return await eventually(`policies to take effect`, async () => {
      await pool([...pending], WIDTH, async ([id, list]) => {
        const object = list[0];
        if (object === undefined) {
          pending.delete(id);
          return;
        }
        const verdict = await admit(c, object);
        if (shows(verdict, id)) pending.delete(id);
        else if (verdict.refused !== undefined) list.shift();
        last.set(id, JSON.stringify({ ...verdict, warned: [...verdict.warned], admitted: undefined }));
      });
      return pending.size === 0;
    });
  } catch (error) {
    throw new Error(`${error}: ${[...pending.keys()].map((id) => `${id}: ${last.get(id)}`).join('\n')}`);
  }
}
