import type { KubeCluster } from '@palisade/kube-harness';
import type { ReportClient } from '../reports.js';

/** A non-2xx answer, as KubeClient's KubeApiError gives it: status, the API's reason and message. */
export class ClusterRequestError extends Error {
  readonly status: number;
  readonly reason: string | undefined;
  readonly path: string;
  constructor(status: number, body: unknown, path: string) {
    const { reason, message } = (body ?? {}) as { reason?: string; message?: string };
    super(`${path}: ${status} ${reason ?? ''}: ${message ?? JSON.stringify(body)}`);
    this.status = status;
    this.reason = reason;
    this.path = path;
  }
}

/** The harness's admin `request` with KubeClient's semantics (throws for non-2xx), until tests use KubeClient. */
export function clusterClient(cluster: KubeCluster): ReportClient {
  return {
    async request<T>(req: Parameters<ReportClient['request']>[0]) {
      const res = await cluster.request<T>(req);
      if (res.status < 200 || res.status >= 300)
        throw new ClusterRequestError(res.status, res.body, req.path);
      return { status: res.status, body: res.body };
    },
  };
}
