import {
  type EffectivePolicy,
  KIND_API_GROUPS,
  matchedKinds,
  type PolicyException,
  resourceOf,
  type Target,
  type TargetInput,
  type TargetOutput,
} from '@palisade/core';
import { toManifestYaml, toManifestYamlStream } from '@palisade/yaml';
import type { ReportApi, ReportResults } from './reports.js';

/**
 * The manifests that run `palisade audit` inside a cluster (`palisade build` writes them to `DIR/audit/`): a
 * namespace, a ServiceAccount, the least-privilege ClusterRole and its binding, a ConfigMap holding the build's
 * selection as a plain-data configuration, a Deployment running `audit --watch --write-reports` (what the
 * kustomization applies) and, as the alternative for who wants no long-running pod, a CronJob running
 * `audit --write-reports` hourly. Both run the same hardened pod spec.
 *
 * The pod spec is hardened to pass the restricted profile and the hardening policies (see docs/audit.md, "Running
 * in a cluster"): the API token reaches the pod as a projected volume rather than by automount, so the pod and the
 * ServiceAccount both say `automountServiceAccountToken: false` and the token's lifetime is bounded.
 */

export interface AuditManifestOptions {
  /** The container image, e.g. `ghcr.io/palisade-dev/palisade:0.1.0` (pin it by digest with kustomize). */
  image: string;
  /** Whether a policy id is in the image's catalogue: only those can be named by the generated configuration. */
  isCatalogue(id: string): boolean;
  /** @default 'palisade-system' */
  namespace?: string;
  /** The report API the pod writes (`--report-api`), and the only report kinds the ClusterRole grants. @default 'wgpolicyk8s' */
  reportApi?: ReportApi;
  /**
   * What the reports list (`--report-results`). @default 'violations': a watch rewrites a namespace's reports after
   * each change in it, and with every pass listed a busy namespace of thousands of objects would have the API server
   * take megabytes of apply every few seconds (docs/audit.md); the passes are still counted in the summaries.
   */
  reportResults?: ReportResults;
  /** The CronJob's schedule. @default '17 * * * *' (hourly, off the full hour when every other job starts) */
  schedule?: string;
}

export const DEFAULT_AUDIT_NAMESPACE = 'palisade-system';
const NAME = 'palisade-audit';
const CONFIG_DIR = '/etc/palisade';
const CONFIG_FILE = 'palisade.config.mjs';
const EXCEPTIONS_FILE = 'exceptions.yaml';
/** Where client-node (and kubectl) find in-cluster credentials; the projected volume reproduces automount's. */
const TOKEN_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** distroless `nonroot`: a user with no shell, no home to write, and no entry in the image's sudoers. */
const RUN_AS = 65532;
/** The V8 heap cap in the 512Mi container: room for Node's own memory and buffers outside the heap. */
const HEAP_MB = 320;

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** The report kinds of each API: namespaced and cluster (mirrors reports.ts). */
const REPORT_RESOURCES: Record<ReportApi, { group: string; resources: string[] }> = {
  wgpolicyk8s: { group: 'wgpolicyk8s.io', resources: ['clusterpolicyreports', 'policyreports'] },
  openreports: { group: 'openreports.io', resources: ['clusterreports', 'reports'] },
};

/**
 * What writeReports does to reports, and nothing else: `list` (its own reports by label, and the `limit=1` list
 * that tells a missing CRD from a missing namespace), `patch` (server-side apply), `create` (the API server authorizes
 * an apply that creates the report as a create too: the harness test saw `cannot create` without it), `delete`
 * (reports left without results).
 */
export const REPORT_VERBS: readonly string[] = ['create', 'delete', 'list', 'patch'];
/** What the audit does to the kinds it checks: list them, and watch them with --watch (the Deployment). */
export const READ_VERBS: readonly string[] = ['get', 'list', 'watch'];

/** A kind no policy's API group is known for: the build cannot grant reading it without guessing. */
export class UnknownKindError extends Error {
  constructor(
    readonly kind: string,
    readonly policyId: string,
  ) {
    super(
      `policy ${policyId} matches kind ${kind}, whose API group is not known to Palisade: the audit's RBAC ` +
        'cannot grant reading it (the in-cluster audit would be forbidden to list it). Only kinds of ' +
        `${Object.keys(KIND_API_GROUPS).sort().join(', ')} can be audited in a cluster by the generated manifests`,
    );
    this.name = 'UnknownKindError';
  }
}

/** The kinds the audit lists for these policies: `Validator.kinds`, i.e. every configured match, controllers expanded. */
export function auditedKinds(policies: readonly Pick<EffectivePolicy, 'match'>[]): string[] {
  return [...new Set(policies.flatMap((p) => matchedKinds(p.match)))];
}

/**
 * The ClusterRole's rules: read verbs on exactly the kinds the audit lists, one rule per API group (groups and
 * resources sorted), then the report kinds of `reportApi` with the verbs writeReports uses.
 */
export function auditRbacRules(
  policies: readonly Pick<EffectivePolicy, 'match' | 'policy'>[],
  reportApi: ReportApi,
): PolicyRule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const policy of policies)
    for (const kind of matchedKinds(policy.match)) {
      const api = KIND_API_GROUPS[kind];
      if (api === undefined) throw new UnknownKindError(kind, policy.policy.id);
      const resources = byGroup.get(api.group) ?? new Set<string>();
      resources.add(resourceOf(kind));
      byGroup.set(api.group, resources);
    }
  const rules: PolicyRule[] = [...byGroup]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, resources]) => ({
      apiGroups: [group],
      resources: [...resources].sort(),
      verbs: [...READ_VERBS],
    }));
  const reports = REPORT_RESOURCES[reportApi];
  rules.push({ apiGroups: [reports.group], resources: [...reports.resources], verbs: [...REPORT_VERBS] });
  return rules;
}

/** The build's selection as a `palisade.config.mjs`: plain data, so it loads without TypeScript or imports. */
function configModule(policies: readonly EffectivePolicy[], pssVersion: string, exceptions: boolean): string {
  const config: Record<string, unknown> = {
    pssVersion,
    include: policies.map((p) => p.policy.id),
    params: Object.fromEntries(
      policies.filter((p) => Object.keys(p.params).length > 0).map((p) => [p.policy.id, p.params]),
    ),
    enforcement: Object.fromEntries(policies.map((p) => [p.policy.id, p.enforcement])),
    ...(exceptions ? { exceptions: [EXCEPTIONS_FILE] } : {}),
  };
  // JSON is a JavaScript expression (every string escaped, U+2028/U+2029 included since ES2019): no policy id or
  // parameter can end the literal and become code.
  return (
    '// Generated by palisade build: the selection the audit pod runs with. Edit the build, not this file.\n' +
    `export default ${JSON.stringify(config, null, 2)};\n`
  );
}

function exceptionDocuments(exceptions: readonly PolicyException[]): unknown[] {
  return [...exceptions]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ name, ...spec }) => ({
      apiVersion: 'palisade.dev/v1alpha1',
      kind: 'PolicyException',
      metadata: { name },
      spec,
    }));
}

const header = (what: string, apply: string) =>
  `# Generated by palisade build (${what}); do not edit: change the build and run it again.\n` +
  `# ${apply}\n` +
  '# See docs/audit.md, "Running in a cluster".\n';

const APPLY_ALL = 'Apply with: kubectl apply -k DIR/audit (namespace, RBAC, ConfigMap, Deployment).';
const CRONJOB_INSTEAD =
  'The alternative to deployment.yaml: for an hourly audit instead of a watch, list cronjob.yaml in ' +
  'kustomization.yaml in place of deployment.yaml.';

export function buildAuditManifests(input: TargetInput, options: AuditManifestOptions): TargetOutput {
  const namespace = options.namespace ?? DEFAULT_AUDIT_NAMESPACE;
  const reportApi = options.reportApi ?? 'wgpolicyk8s';
  const notes: string[] = [];
  const policies: EffectivePolicy[] = [];
  for (const policy of input.policies) {
    if (options.isCatalogue(policy.policy.id)) policies.push(policy);
    else
      notes.push(
        `${policy.policy.id}: left out of the in-cluster audit: the image runs catalogue policies only; ` +
          'to audit your own, build an image with your configuration (docs/audit.md, "Running in a cluster")',
      );
  }
  const exceptions = input.exceptions.filter((e) =>
    e.policies.some((id) => id === '*' || policies.some((p) => p.policy.id === id)),
  );
  const rules = auditRbacRules(policies, reportApi);
  const labels = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/part-of': 'palisade' };
  const meta = (name: string) => ({ name, namespace, labels });

  const configData: Record<string, string> = {
    [CONFIG_FILE]: configModule(policies, input.pssVersion, exceptions.length > 0),
  };
  if (exceptions.length > 0)
    configData[EXCEPTIONS_FILE] = toManifestYamlStream(exceptionDocuments(exceptions));

  const auditArgs = (watch: boolean) => [
    'audit',
    ...(watch ? ['--watch'] : []),
    '--write-reports',
    '--report-api',
    reportApi,
    '--report-results',
    options.reportResults ?? 'violations',
    '--config',
    `${CONFIG_DIR}/${CONFIG_FILE}`,
  ];

  const container = (watch: boolean) => ({
    name: 'audit',
    image: options.image,
    imagePullPolicy: 'IfNotPresent',
    args: auditArgs(watch),
    // V8 sizes its heap from the machine, not the container: uncapped, it lets garbage grow past the memory limit
    // before collecting and the pod is OOM-killed. Capped below the limit, it collects sooner (50,000 objects with
    // every hardening policy peaked at 307 MB with this cap, 570 MB without; docs/performance.md).
    env: [{ name: 'NODE_OPTIONS', value: `--max-old-space-size=${HEAP_MB}` }],
    resources: {
      requests: { cpu: '100m', memory: '256Mi' },
      // The audit's memory grows with the results, not the objects (docs/performance.md); 512Mi leaves room.
      limits: { cpu: '1', memory: '512Mi' },
    },
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: RUN_AS,
      runAsGroup: RUN_AS,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'token', mountPath: TOKEN_DIR, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  });

  const podSpec = (watch: boolean) => ({
    serviceAccountName: NAME,
    // The token comes from the projected volume below: what automount would mount, with a bounded lifetime.
    automountServiceAccountToken: false,
    ...(watch ? {} : { restartPolicy: 'OnFailure' }),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: RUN_AS,
      runAsGroup: RUN_AS,
      fsGroup: RUN_AS,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [container(watch)],
    volumes: [
      { name: 'config', configMap: { name: NAME } },
      {
        name: 'token',
        projected: {
          sources: [
            { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            {
              downwardAPI: {
                items: [
                  { path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
                ],
              },
            },
          ],
        },
      },
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
    ],
  });

  const files = new Map<string, string>();
  files.set(
    'namespace.yaml',
    header('in-cluster audit', APPLY_ALL) +
      toManifestYaml({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels } }),
  );
  files.set(
    'serviceaccount.yaml',
    header('in-cluster audit', APPLY_ALL) +
      toManifestYaml({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: meta(NAME),
        automountServiceAccountToken: false,
      }),
  );
  files.set(
    'clusterrole.yaml',
    header(
      'in-cluster audit',
      'Read on exactly the kinds the selected policies match; write on the report kinds only.',
    ) +
      toManifestYaml({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: NAME, labels },
        rules,
      }),
  );
  files.set(
    'clusterrolebinding.yaml',
    header('in-cluster audit', APPLY_ALL) +
      toManifestYaml({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: NAME, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
        subjects: [{ kind: 'ServiceAccount', name: NAME, namespace }],
      }),
  );
  files.set(
    'configmap.yaml',
    header('in-cluster audit', 'The selection of the build, mounted read-only at /etc/palisade.') +
      toManifestYaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(NAME), data: configData }),
  );
  files.set(
    'deployment.yaml',
    header('in-cluster audit', APPLY_ALL) +
      toManifestYaml({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta(NAME),
        spec: {
          // One writer: two watchers would apply the same reports, each undoing the other's timestamps.
          replicas: 1,
          // Recreate, not RollingUpdate: the old pod stops (flushing its pending writes on SIGTERM) before the new
          // one starts its first audit, so two never write at once.
          strategy: { type: 'Recreate' },
          revisionHistoryLimit: 3,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              ...podSpec(true),
              // SIGTERM flushes the namespaces still waiting for their debounced write; a few seconds suffice.
              terminationGracePeriodSeconds: 30,
            },
          },
        },
      }),
  );
  files.set(
    'cronjob.yaml',
    header('in-cluster audit', CRONJOB_INSTEAD) +
      toManifestYaml({
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: meta(NAME),
        spec: {
          schedule: options.schedule ?? '17 * * * *',
          // A run still going when the next is due is left to finish; two would write the same reports.
          concurrencyPolicy: 'Forbid',
          startingDeadlineSeconds: 600,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            spec: {
              backoffLimit: 2,
              activeDeadlineSeconds: 3000,
              template: { metadata: { labels }, spec: podSpec(false) },
            },
          },
        },
      }),
  );
  files.set(
    'kustomization.yaml',
    header(
      'in-cluster audit',
      `${APPLY_ALL} Pin the image by digest: kustomize edit set image ${imageName(options.image)}@sha256:<digest>.\n` +
        '# For an hourly CronJob instead of the watching Deployment, list cronjob.yaml in place of deployment.yaml.',
    ) +
      toManifestYaml({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: [
          'namespace.yaml',
          'serviceaccount.yaml',
          'clusterrole.yaml',
          'clusterrolebinding.yaml',
          'configmap.yaml',
          'deployment.yaml',
        ],
      }),
  );
  return { files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), notes };
}

/** An image reference without its tag or digest. */
function imageName(image: string): string {
  const at = image.indexOf('@');
  const withoutDigest = at === -1 ? image : image.slice(0, at);
  const colon = withoutDigest.lastIndexOf(':');
  return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** The `audit` build target: `DIR/audit/`. */
export function auditTarget(options: AuditManifestOptions): Target {
  return {
    name: 'audit',
    folder: 'audit',
    paths: [
      {
        path: 'namespace.yaml',
        description: `the namespace the audit runs in (${options.namespace ?? DEFAULT_AUDIT_NAMESPACE})`,
      },
      { path: 'serviceaccount.yaml', description: "the audit's ServiceAccount" },
      {
        path: 'clusterrole.yaml',
        description:
          'least-privilege RBAC: get/list/watch on the matched kinds, create/list/patch/delete on reports',
      },
      { path: 'clusterrolebinding.yaml', description: 'binds the ClusterRole to the ServiceAccount' },
      { path: 'configmap.yaml', description: "the build's selection (palisade.config.mjs, exceptions)" },
      {
        path: 'deployment.yaml',
        description: '`palisade audit --watch --write-reports`, one replica, hardened pod spec',
      },
      {
        path: 'cronjob.yaml',
        description: 'the alternative: `palisade audit --write-reports` hourly, the same pod spec',
      },
      { path: 'kustomization.yaml', description: 'all of it, for `kubectl apply -k`' },
    ],
    build: (input) => buildAuditManifests(input, options),
  };
}
