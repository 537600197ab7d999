import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { enginePath } from './cache.js';
import { ENGINE_TEST_TIMEOUT_MS } from './hang-guard.js';
import { type OracleLevelResult, type OracleResult, type PsaVersion, runPsaOracle } from './oracle.js';
import { PSA_CHECK_TO_POLICY } from './psa-map.js';

// These run the real upstream evaluator. A missing binary fails them with enginePath's message
// (`pnpm engines --only psa-oracle`): a differential oracle that silently skips proves nothing.

type Obj = Record<string, unknown>;

const pod = (spec: Obj, metadata: Obj = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', ...metadata },
  spec,
});

const hardenedContainer = (extra: Obj = {}): Obj => ({
  name: 'app',
  image: 'nginx',
  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, ...extra },
});

const hardened = pod({
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [hardenedContainer()],
  volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }],
});

function verdicts(r: OracleResult | undefined): OracleLevelResult[] {
  if (!r || 'error' in r) throw new Error(`expected verdicts, got ${JSON.stringify(r)}`);
  return r.results;
}

function at(
  r: OracleResult | undefined,
  level: string,
  version: PsaVersion,
): { allowed: boolean; ids: string[] } {
  const v = verdicts(r).find((x) => x.level === level && x.version === version);
  if (!v) throw new Error(`no verdict for ${level}@${version}`);
  return { allowed: v.allowed, ids: v.checks.map((c) => c.id) };
}

describe('psa-oracle (upstream k8s.io/pod-security-admission)', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
  it('fails a privileged container at baseline with check id privileged', async () => {
    const [r] = await runPsaOracle(
      [pod({ containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] })],
      { levels: ['baseline'], versions: ['latest', 'v1.25'] },
    );
    expect(at(r, 'baseline', 'latest')).toEqual({ allowed: false, ids: ['privileged'] });
    expect(at(r, 'baseline', 'v1.25')).toEqual({ allowed: false, ids: ['privileged'] });
    const check = verdicts(r)[0]?.checks[0];
    expect(check?.detail).toContain('privileged=true');
  });

  it('passes a fully hardened pod at restricted for every version asked', async () => {
    const [r] = await runPsaOracle([hardened], {
      levels: ['baseline', 'restricted'],
      versions: ['latest', 'v1.25', 'v1.30'],
    });
    expect(verdicts(r)).toHaveLength(6);
    for (const v of verdicts(r)) expect(v).toMatchObject({ allowed: true, checks: [] });
  });

  it('lets user-namespace pods unmask /proc at baseline from 1.35 only', async () => {
    const p = pod({
      hostUsers: false,
      containers: [{ name: 'c', image: 'x', securityContext: { procMount: 'Unmasked' } }],
    });
    const [r] = await runPsaOracle([p], {
      levels: ['baseline', 'restricted'],
      versions: ['latest', 'v1.34'],
    });
    expect(at(r, 'baseline', 'latest')).toEqual({ allowed: true, ids: [] });
    expect(at(r, 'baseline', 'v1.34')).toEqual({ allowed: false, ids: ['procMount'] });
    // Restricted keeps forbidding it, through its own revision that overrides the baseline check.
    expect(at(r, 'restricted', 'latest').ids).toContain('procMount_restricted');
    expect(at(r, 'restricted', 'latest').ids).not.toContain('procMount');
    expect(at(r, 'restricted', 'v1.34').ids).toContain('procMount');
    expect(at(r, 'restricted', 'v1.34').ids).not.toContain('procMount_restricted');
  });

  it('skips runAsNonRoot for user-namespace pods at restricted latest but not at v1.34', async () => {
    const p = pod({
      hostUsers: false,
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [hardenedContainer()],
    });
    const [r] = await runPsaOracle([p], { levels: ['restricted'], versions: ['latest', 'v1.34'] });
    expect(at(r, 'restricted', 'latest')).toEqual({ allowed: true, ids: [] });
    expect(at(r, 'restricted', 'v1.34')).toEqual({ allowed: false, ids: ['runAsNonRoot'] });
  });

  it('checks probe hosts from 1.34 on', async () => {
    const p = pod({
      containers: [{ name: 'c', image: 'x', livenessProbe: { httpGet: { host: '10.0.0.1', port: 80 } } }],
    });
    const [r] = await runPsaOracle([p], { levels: ['baseline'], versions: ['v1.33', 'v1.34', 'latest'] });
    expect(at(r, 'baseline', 'v1.33')).toEqual({ allowed: true, ids: [] });
    expect(at(r, 'baseline', 'v1.34')).toEqual({ allowed: false, ids: ['hostProbesAndHostLifecycle'] });
    expect(at(r, 'baseline', 'latest')).toEqual({ allowed: false, ids: ['hostProbesAndHostLifecycle'] });
  });

  it('answers one line per pod in order, reporting non-Pods as errors without stopping', async () => {
    const bad = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } };
    const results = await runPsaOracle([hardened, bad, hardened], {
      levels: ['restricted'],
      versions: ['latest'],
    });
    expect(results.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(results[1]).toMatchObject({ index: 1, error: expect.stringContaining('kind Pod') });
    expect(at(results[2], 'restricted', 'latest').allowed).toBe(true);
  });

  it('decodes field names case-sensitively, as the apiserver does', async () => {
    const p = pod({ containers: [{ name: 'c', image: 'x', securityContext: { Privileged: true } }] });
    const [r] = await runPsaOracle([p], { levels: ['baseline'], versions: ['latest'] });
    expect(at(r, 'baseline', 'latest').allowed).toBe(true);
  });

  it('defaults a volume without a source to emptyDir before evaluating, as the apiserver does', async () => {
    const restricted = (volumes: Obj[]) => ({ ...hardened, spec: { ...(hardened.spec as Obj), volumes } });
    const [none, unknownOnly, nullSource, restrictedSource, both] = await runPsaOracle(
      [
        restricted([{ name: 'none' }]),
        // Unknown keys (a case variant of a real source) are dropped when decoding; the volume has no source left.
        restricted([{ name: 'unknown', HostPath: { path: '/' }, someFutureSource: {} }]),
        restricted([{ name: 'null', hostPath: null }]),
        restricted([{ name: 'nfs', nfs: { server: 's', path: '/' }, somethingElse: {} }]),
        restricted([{ name: 'both', emptyDir: {}, hostPath: { path: '/' } }]),
      ],
      { levels: ['restricted'], versions: ['latest', 'v1.18'] },
    );
    for (const version of ['latest', 'v1.18'] as const) {
      expect(at(none, 'restricted', version)).toEqual({ allowed: true, ids: [] });
      expect(at(unknownOnly, 'restricted', version)).toEqual({ allowed: true, ids: [] });
      expect(at(nullSource, 'restricted', version)).toEqual({ allowed: true, ids: [] });
      expect(at(restrictedSource, 'restricted', version)).toEqual({
        allowed: false,
        ids: ['restrictedVolumes'],
      });
      expect(at(both, 'restricted', version)).toEqual({ allowed: true, ids: [] });
    }
  });

  it('reports only check ids that map to a Palisade policy', async () => {
    const worst = pod(
      {
        hostNetwork: true,
        hostPID: true,
        securityContext: {
          runAsUser: 0,
          runAsNonRoot: false,
          seccompProfile: { type: 'Unconfined' },
          seLinuxOptions: { type: 'spc_t' },
          sysctls: [{ name: 'kernel.msgmax', value: '1' }],
          windowsOptions: { hostProcess: true },
        },
        volumes: [{ name: 'h', hostPath: { path: '/' } }],
        containers: [
          {
            name: 'c',
            image: 'x',
            ports: [{ containerPort: 80, hostPort: 80 }],
            securityContext: {
              privileged: true,
              procMount: 'Unmasked',
              allowPrivilegeEscalation: true,
              capabilities: { add: ['SYS_ADMIN'] },
              appArmorProfile: { type: 'Unconfined' },
            },
            readinessProbe: { tcpSocket: { host: 'example.com', port: 80 } },
          },
        ],
      },
      { annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' } },
    );
    const [r] = await runPsaOracle([worst], {
      levels: ['baseline', 'restricted'],
      versions: ['latest', 'v1.34'],
    });
    const ids = new Set(verdicts(r).flatMap((v) => v.checks.map((c) => c.id)));
    expect(ids.size).toBeGreaterThanOrEqual(17);
    for (const id of ids) expect(PSA_CHECK_TO_POLICY).toHaveProperty(id);
  });
});

describe('enginePath', () => {
  it('names the build command when an engine is missing', () => {
    const saved = process.env.PALISADE_ENGINES_DIR;
    process.env.PALISADE_ENGINES_DIR = mkdtempSync(join(tmpdir(), 'palisade-engines-'));
    try {
      expect(() => enginePath('kyverno')).toThrow('pnpm engines --only kyverno');
    } finally {
      if (saved === undefined) delete process.env.PALISADE_ENGINES_DIR;
      else process.env.PALISADE_ENGINES_DIR = saved;
    }
  });
});
