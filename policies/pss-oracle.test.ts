import { podArbitrary } from '@palisade/arbitraries';
import { type PssLevel, resolvePolicy, selectPolicies } from '@palisade/core';
import {
  ENGINE_TEST_TIMEOUT_MS,
  type OracleResult,
  PSA_CHECK_TO_POLICY,
  type PsaVersion,
  runPsaOracle,
} from '@palisade/engines';
import { Validator } from '@palisade/validator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import disallowHostPorts from './disallow-host-ports/policy.js';
import { catalogue } from './index.js';

/**
 * Differential test against upstream Pod Security Admission (the `psa-oracle` engine, k8s.io/pod-security-admission
 * v0.37): for every generated Pod, at each level and version, Palisade's verdict and failing policy ids must equal
 * upstream's failing checks mapped to Palisade ids. A disagreement is minimised and printed.
 *
 * CI: 10,000 Pods. Soak: `PALISADE_ORACLE_PODS=1000000 pnpm vitest run policies/pss-oracle.test.ts`.
 */

const PODS = Number(process.env.PALISADE_ORACLE_PODS ?? 10_000);
const SEED = Number(process.env.PALISADE_ORACLE_SEED ?? 20261125);
const BATCH = 25_000;
const LEVELS: PssLevel[] = ['baseline', 'restricted'];
const VERSIONS: PsaVersion[] = ['latest', 'v1.34', 'v1.30', 'v1.24', 'v1.21', 'v1.18'];

type Pod = Record<string, unknown>;

const validators = new Map(
  LEVELS.flatMap((level) =>
    VERSIONS.map((version) => [
      `${level}@${version}`,
      new Validator({ policies: selectPolicies(catalogue, { profile: level, version }) }),
    ]),
  ),
);

function palisadeFailing(pod: Pod, level: PssLevel, version: PsaVersion): string[] {
  const validator = validators.get(`${level}@${version}`) as Validator;
  return [
    ...new Set(
      validator
        .validate(pod)
        .filter((r) => r.status === 'fail')
        .map((r) => r.policy.id),
    ),
  ].sort();
}

function upstreamFailing(result: OracleResult, level: PssLevel, version: PsaVersion): string[] {
  if ('error' in result) throw new Error(`psa-oracle could not decode pod ${result.index}: ${result.error}`);
  const at = result.results.find((r) => r.level === level && r.version === version);
  if (!at) throw new Error(`psa-oracle gave no result at ${level} ${version}`);
  return [
    ...new Set(
      at.checks.map((c) => {
        const id = (PSA_CHECK_TO_POLICY as Record<string, string>)[c.id];
        if (!id) throw new Error(`unmapped upstream check ${c.id}`);
        return id;
      }),
    ),
  ].sort();
}

interface Disagreement {
  pod: Pod;
  level: PssLevel;
  version: PsaVersion;
  palisade: string[];
  upstream: string[];
}

async function disagreements(pods: Pod[], first = false): Promise<Disagreement[]> {
  const oracle = await runPsaOracle(pods, { levels: LEVELS, versions: VERSIONS });
  const found: Disagreement[] = [];
  pods.forEach((pod, i) => {
    for (const level of LEVELS) {
      for (const version of VERSIONS) {
        const palisade = palisadeFailing(pod, level, version);
        const upstream = upstreamFailing(oracle[i] as OracleResult, level, version);
        if (palisade.join() !== upstream.join()) {
          if (!first || found.length === 0) found.push({ pod, level, version, palisade, upstream });
        }
      }
    }
  });
  return found;
}

/** Every object with one key or one list element removed (a step of the greedy minimiser). */
function smaller(
  value: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; without: unknown }[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => [
      { path: [...path, i], without: value.filter((_, j) => j !== i) },
      ...smaller(item, [...path, i]).map((s) => ({
        ...s,
        without: value.map((x, j) => (j === i ? s.without : x)),
      })),
    ]);
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.flatMap(([key, item]) => [
      { path: [...path, key], without: Object.fromEntries(entries.filter(([k]) => k !== key)) },
      ...smaller(item, [...path, key]).map((s) => ({ ...s, without: { ...value, [key]: s.without } })),
    ]);
  }
  return [];
}

/** Greedy minimisation: drop keys and elements while the same level/version still disagrees. */
async function minimise(d: Disagreement): Promise<Disagreement> {
  let current = d;
  for (;;) {
    const candidates = smaller(current.pod)
      .map((s) => s.without as Pod)
      .filter((p) => p.apiVersion === 'v1' && p.kind === 'Pod' && typeof p.metadata === 'object');
    if (candidates.length === 0) return current;
    const oracle = await runPsaOracle(candidates, { levels: [current.level], versions: [current.version] });
    const next = candidates.findIndex((pod, i) => {
      const result = oracle[i] as OracleResult;
      if ('error' in result) return false;
      const upstream = upstreamFailing(result, current.level, current.version);
      return palisadeFailing(pod, current.level, current.version).join() !== upstream.join();
    });
    if (next < 0) return current;
    const pod = candidates[next] as Pod;
    current = {
      ...current,
      pod,
      palisade: palisadeFailing(pod, current.level, current.version),
      upstream: upstreamFailing(oracle[next] as OracleResult, current.level, current.version),
    };
  }
}

describe('Pod Security Standards catalogue agrees with upstream Pod Security Admission', () => {
  it(`on ${PODS} generated pods at ${LEVELS.join(', ')} × ${VERSIONS.join(', ')}`, {
    timeout: ENGINE_TEST_TIMEOUT_MS,
  }, async () => {
    let checked = 0;
    let denied = 0;
    for (let start = 0; start < PODS; start += BATCH) {
      const count = Math.min(BATCH, PODS - start);
      const pods = fc.sample(podArbitrary, { numRuns: count, seed: SEED + start }) as Pod[];
      const found = await disagreements(pods, true);
      const first = found[0];
      if (first) {
        const minimal = await minimise(first);
        expect.fail(
          `Palisade and upstream PSA disagree at ${minimal.level} ${minimal.version}:\n` +
            `  palisade fails: [${minimal.palisade.join(', ')}]\n  upstream fails: [${minimal.upstream.join(', ')}]\n` +
            `  minimal pod: ${JSON.stringify(minimal.pod)}`,
        );
      }
      checked += count;
      denied += pods.filter((pod) => palisadeFailing(pod, 'baseline', 'latest').length > 0).length;
    }
    expect(checked).toBe(PODS);
    // The corpus must exercise both verdicts, or agreement would prove little.
    expect(denied).toBeGreaterThan(PODS * 0.05);
    expect(denied).toBeLessThan(PODS * 0.95);
  });

  it('the minimiser reduces a pod to what a disagreement needs', {
    timeout: ENGINE_TEST_TIMEOUT_MS,
  }, async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'x' },
      spec: {
        hostNetwork: true,
        containers: [{ name: 'a', image: 'i', securityContext: { privileged: true } }],
      },
    };
    // Simulate a disagreement on `privileged` by asking for the ids upstream gives without `disallow-privileged-containers`.
    const smallerPods = smaller(pod).map((s) => s.without as Pod);
    expect(smallerPods.some((p) => JSON.stringify(p).includes('privileged') === false)).toBe(true);
    expect(await disagreements([pod])).toEqual([]);
  });
});

/**
 * `disallow-host-ports` with allowed host ports is upstream's hostPorts check on the Pod without those ports: for
 * every generated Pod, Palisade with the parameters fails exactly when upstream fails the Pod whose allowed
 * hostPorts are removed. Generated host ports include the range's bounds and their neighbours.
 */
describe('disallow-host-ports with allowedHostPorts and allowedHostPortRanges', () => {
  const params = { allowedHostPorts: [80, 8080], allowedHostPortRanges: [{ min: 9000, max: 9099 }] };
  const isAllowed = (port: unknown) =>
    typeof port === 'number' &&
    (params.allowedHostPorts.includes(port) ||
      params.allowedHostPortRanges.some((r) => r.min <= port && port <= r.max));
  /** The Pod with every allowed hostPort removed, as upstream would need it to pass. */
  const withoutAllowedPorts = (pod: Pod): Pod => {
    const spec = { ...(pod.spec as Record<string, unknown>) };
    for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
      const containers = spec[list];
      if (!Array.isArray(containers)) continue;
      spec[list] = containers.map((c: Record<string, unknown>) =>
        Array.isArray(c.ports)
          ? {
              ...c,
              ports: c.ports.map((p: Record<string, unknown>) => {
                if (!isAllowed(p.hostPort)) return p;
                const { hostPort: _, ...rest } = p;
                return rest;
              }),
            }
          : c,
      );
    }
    return { ...pod, spec };
  };
  const resolved = resolvePolicy(disallowHostPorts);
  if (!resolved) throw new Error('disallow-host-ports resolves at latest');
  const validator = new Validator({ policies: [{ ...resolved, params }] });

  it(`agrees with upstream on ${PODS} generated pods`, { timeout: ENGINE_TEST_TIMEOUT_MS }, async () => {
    let denied = 0;
    let relaxed = 0;
    for (let start = 0; start < PODS; start += BATCH) {
      const count = Math.min(BATCH, PODS - start);
      const pods = fc.sample(podArbitrary, { numRuns: count, seed: SEED + 1 + start }) as Pod[];
      const stripped = pods.map(withoutAllowedPorts);
      const oracle = await runPsaOracle([...stripped, ...pods], {
        levels: ['baseline'],
        versions: ['latest'],
      });
      pods.forEach((pod, i) => {
        const [result] = validator.validate(pod);
        const strippedUpstream = upstreamFailing(oracle[i] as OracleResult, 'baseline', 'latest');
        const upstream = upstreamFailing(oracle[count + i] as OracleResult, 'baseline', 'latest');
        const palisadeFails = result?.status === 'fail';
        const upstreamFails = strippedUpstream.includes('disallow-host-ports');
        if (palisadeFails !== upstreamFails) {
          expect.fail(
            `disallow-host-ports with ${JSON.stringify(params)} ${palisadeFails ? 'fails' : 'passes'} but upstream ` +
              `${upstreamFails ? 'fails' : 'passes'} without the allowed ports:\n  pod: ${JSON.stringify(pod)}`,
          );
        }
        if (palisadeFails) denied++;
        if (!palisadeFails && upstream.includes('disallow-host-ports')) relaxed++;
      });
    }
    // Both verdicts, and pods the parameters let through that upstream denies, must occur.
    expect(denied).toBeGreaterThan(PODS * 0.02);
    expect(relaxed).toBeGreaterThan(PODS * 0.02);
  });
});
