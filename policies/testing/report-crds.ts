import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinnedModuleDir } from '@palisade/engines';
import type { KubeCluster } from '@palisade/kube-harness';
import { manifests } from './api-server.js';

/**
 * The report CRDs as the ecosystem ships them, at the versions the pinned Kyverno (v1.19.0) uses: wgpolicyk8s.io
 * from kyverno's config/crds/policyreport, OpenReports from github.com/openreports/reports-api (a kyverno dependency),
 * both read from the Go module cache `pnpm engines` fills.
 */
export function reportCrds(api: 'wgpolicyk8s' | 'openreports' | 'both' = 'both'): Record<string, unknown>[] {
  const crds: Record<string, unknown>[] = [];
  const read = (dir: string, file: string) => crds.push(...manifests(readFileSync(join(dir, file), 'utf8')));
  if (api !== 'openreports') {
    const { dir } = pinnedModuleDir('kyverno', 'github.com/kyverno/kyverno');
    read(dir, 'config/crds/policyreport/wgpolicyk8s.io_policyreports.yaml');
    read(dir, 'config/crds/policyreport/wgpolicyk8s.io_clusterpolicyreports.yaml');
  }
  if (api !== 'wgpolicyk8s') {
    const { dir } = pinnedModuleDir('kyverno', 'github.com/openreports/reports-api');
    read(dir, 'config/crd/openreports.io_reports.yaml');
    read(dir, 'config/crd/openreports.io_clusterreports.yaml');
  }
  return crds;
}

/**
 * Installs the report CRDs of `api` (default both) and waits until they are served: Established, in discovery, and
 * listable (a new CRD's storage answers 429 "storage is (re)initializing" for a moment after it is Established).
 */
export async function installReportCrds(
  cluster: KubeCluster,
  api: 'wgpolicyk8s' | 'openreports' | 'both' = 'both',
  timeoutMs = 30_000,
): Promise<void> {
  const crds = reportCrds(api);
  for (const crd of crds) await cluster.apply(crd);
  await cluster.waitForCrds(crds.map((crd) => (crd.metadata as { name: string }).name));
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    const spec = crd.spec as { group: string; names: { plural: string }; versions: { name: string }[] };
    const path = `/apis/${spec.group}/${spec.versions[0]?.name}/${spec.names.plural}`;
    for (;;) {
      const res = await cluster.request({ method: 'GET', path, query: { limit: '1' } });
      if (res.status === 200) break;
      if (Date.now() > deadline)
        throw new Error(`${path} not listable: ${res.status} ${JSON.stringify(res.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
