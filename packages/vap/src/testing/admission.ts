import type { EffectivePolicy, PolicyConfig, ResolutionContext } from '@palisade/core';
import type { KubeCluster, KubeResponse } from '@palisade/kube-harness';
import { vapObjects } from '../output.js';

/**
 * Helpers for proving the generated policies in a real kube-apiserver: installing them, waiting until the API
 * server enforces them (policy sources refresh asynchronously), and reading its per-policy verdicts.
 */

const ADMISSION = '/apis/admissionregistration.k8s.io/v1';

/** `Validation failed for ValidatingAdmissionPolicy '<id>' with binding '<id>': <message>` (one per Warn failure). */
const WARNING = /^Validation failed for ValidatingAdmissionPolicy '([^']*)' with binding '[^']*': ([\s\S]*)$/;
/** `<resource> "<name>" is forbidden: ValidatingAdmissionPolicy '<id>' with binding '<id>' denied request: <message>`. */
const DENIAL = /ValidatingAdmissionPolicy '([^']*)' with binding '[^']*' denied request: ([\s\S]*)$/;

/** Applies every policy's ValidatingAdmissionPolicy and binding (server-side apply: replaces what is there). */
export async function installPolicies(
  c: KubeCluster,
  policies: readonly (PolicyConfig | EffectivePolicy)[],
  context: ResolutionContext = {},
): Promise<string[]> {
  const documents = vapObjects(policies, context);
  for (const { policy, binding } of documents) {
    await c.apply(policy);
    await c.apply(binding);
  }
  return documents.map((d) => d.id);
}

/** A Pod the catalogue policies deny (privileged, `latest`, from Docker Hub), for waiting on policy changes. */
export const BAD_POD: Record<string, unknown> = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'palisade-probe', namespace: 'default' },
  spec: {
    containers: [
      { name: 'app', image: 'docker.io/library/nginx:latest', securityContext: { privileged: true } },
    ],
  },
};

/**
 * Deletes every ValidatingAdmissionPolicy and binding, and waits until the API server no longer enforces them
 * (its policy source refreshes asynchronously): BAD_POD is admitted without a policy warning.
 */
export async function removePolicies(c: KubeCluster): Promise<void> {
  for (const resource of ['validatingadmissionpolicybindings', 'validatingadmissionpolicies']) {
    const res = await c.request({ method: 'DELETE', path: `${ADMISSION}/${resource}` });
    if (res.status >= 300) throw new Error(`delete ${resource}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  await eventually('the deleted policies to stop applying', async () => {
    const verdict = await admit(c, BAD_POD);
    return verdict.admitted !== undefined && verdict.policyWarnings.length === 0;
  });
}

export async function createNamespaces(c: KubeCluster, names: Iterable<string>): Promise<void> {
  for (const name of [...new Set(names)].sort()) {
    // Names the API server would refuse: objects in them are refused too (and counted as such).
    if (name === 'default' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) continue;
    await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
}

export interface AdmissionVerdict {
  status: number;
  /** The object as admitted (defaulted, as admission saw it), for a 2xx answer. */
  admitted: Record<string, unknown> | undefined;
  /** Policy id → message, from the Warn actions' warnings. */
  warned: Map<string, string>;
  /** The Warn actions' warnings as the API server sent them, in order. */
  policyWarnings: string[];
  /** The policy that denied the request and its message, for a denial by a ValidatingAdmissionPolicy. */
  denied: { policy: string; message: string } | undefined;
  /** The API server's message for any other refusal (validation, decoding). */
  refused: string | undefined;
  /** Warnings that are not from a ValidatingAdmissionPolicy (deprecations and the like). */
  otherWarnings: string[];
}

export function verdictOf(res: KubeResponse): AdmissionVerdict {
  const warned = new Map<string, string>();
  const otherWarnings: string[] = [];
  const policyWarnings: string[] = [];
  for (const warning of res.warnings) {
    const m = WARNING.exec(warning);
    if (m) {
      warned.set(m[1] as string, m[2] as string);
      policyWarnings.push(warning);
    } else otherWarnings.push(warning);
  }
  const body = res.body as { message?: string } | undefined;
  const ok = res.status >= 200 && res.status < 300;
  const denial = ok ? null : DENIAL.exec(String(body?.message ?? ''));
  return {
    status: res.status,
    admitted: ok ? (res.body as Record<string, unknown>) : undefined,
    warned,
    policyWarnings,
    denied: denial ? { policy: denial[1] as string, message: denial[2] as string } : undefined,
    refused: ok || denial ? undefined : String(body?.message ?? JSON.stringify(res.body)),
    otherWarnings,
  };
}

/** Server-side dry-run create (strict field validation): the API server's admission verdict on `object`. */
export async function admit(c: KubeCluster, object: Record<string, unknown>): Promise<AdmissionVerdict> {
  return verdictOf(await c.create(object, { dryRun: true }));
}

export { pool } from '@palisade/testing';

/** Polls `check` until it returns true (every 200 ms), failing with `what` after `timeoutMs`. */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return Math.round(performance.now() - started);
}

/** Whether every field of `sent` is in `stored` with the same value (the API server may add defaults). */
export function prunedFields(sent: unknown, stored: unknown, path = ''): string[] {
  if (Array.isArray(sent)) {
    if (!Array.isArray(stored) || stored.length !== sent.length) return [path];
    return sent.flatMap((item, i) => prunedFields(item, stored[i], `${path}[${i}]`));
  }
  if (sent !== null && typeof sent === 'object') {
    if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return [path];
    return Object.entries(sent).flatMap(([k, v]) =>
      prunedFields(v, (stored as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
    );
  }
  return sent === stored ? [] : [path];
}

/** The warning a Warn binding adds for a failing policy (k8s.io/apiserver validating admission dispatcher). */
export const policyWarning = (id: string, message: string): string =>
  `Validation failed for ValidatingAdmissionPolicy '${id}' with binding '${id}': ${message}`;

/**
 * The API server's warning budget (k8s.io/apiserver pkg/endpoints/filters/warning.go): warnings are sent whole while
 * their total stays within 4,096 runes; past it, every warning is cut to 256 runes, and once the cut ones reach
 * 4,096 runes the rest are dropped. A Warn-mode verdict with many long messages is therefore lossy.
 */
export const WARNING_TOTAL_RUNES = 4 * 1024;
export const WARNING_ITEM_RUNES = 256;
const runes = (text: string): number => [...text].length;

/** Whether the warnings are exactly the expected failures' warnings, none cut or dropped. */
export function warningsWhole(expected: ReadonlyMap<string, string>, received: readonly string[]): boolean {
  const full = [...expected].map(([id, message]) => policyWarning(id, message));
  return received.length === full.length && received.every((w) => full.includes(w));
}

/**
 * Whether the API server's policy warnings are what it sends for the `expected` failures (policy id → message):
 * all of them whole when every warning fits the budget, else each cut to 256 runes, some dropped only once the
 * budget is spent. Other warnings of the response (deprecated fields) count towards the same budget.
 */
export function warningsAgree(
  expected: ReadonlyMap<string, string>,
  received: readonly string[],
  others: readonly string[] = [],
): boolean {
  if (warningsWhole(expected, received)) return true;
  const full = [...expected].map(([id, message]) => policyWarning(id, message));
  const othersRunes = others.reduce((sum, w) => sum + runes(w), 0);
  const othersCut = others.some((w) => runes(w) === WARNING_ITEM_RUNES);
  const truncating =
    othersCut || full.reduce((sum, w) => sum + runes(w), 0) + othersRunes > WARNING_TOTAL_RUNES;
  if (!truncating) return false;
  const cut = new Set(full.map((w) => [...w].slice(0, WARNING_ITEM_RUNES).join('')));
  if (!received.every((w) => cut.has(w)) || new Set(received).size !== received.length) return false;
  const written = received.reduce((sum, w) => sum + runes(w), 0) + othersRunes;
  return received.length === full.length || written >= WARNING_TOTAL_RUNES;
}
