import { KubeApiError, type KubeClient } from './client.js';
import { type AuditedKind, apiVersionOf } from './discovery.js';

/** Paginated lists, as `kubectl get --chunk-size` reads them, restarted when a continue token expires. */

export const DEFAULT_PAGE_SIZE = 500;
/** An expired continue token restarts the list; a collection that keeps changing faster than it is read fails. */
const MAX_LIST_RESTARTS = 5;

export interface ListOptions {
  /** Objects per page (`limit`). @default 500 */
  pageSize?: number;
  /** Each page's items, in order; must not keep the array past the call. */
  onPage(items: readonly Record<string, unknown>[], page: number): void | Promise<void>;
  /**
   * The continue token expired (410 Expired: etcd compacted the revision the list started at) and the list starts
   * again from the first page: forget what the earlier pages gave.
   */
  onRestart?(): void;
}

interface ListPage {
  items?: Record<string, unknown>[];
  metadata?: { continue?: string; resourceVersion?: string };
}

/**
 * Lists a collection page by page; resolves with the list's resourceVersion (where a watch of it starts). The next
 * page is requested while the current one is handled, so evaluation and the API server's work overlap.
 */
export async function listCollection(
  client: KubeClient,
  path: string,
  options: ListOptions,
): Promise<string> {
  const limit = String(options.pageSize ?? DEFAULT_PAGE_SIZE);
  const fetchPage = (token: string | undefined) =>
    client.request<ListPage>({
      method: 'GET',
      path,
      query: token === undefined ? { limit } : { limit, continue: token },
    });
  for (let restarts = 0; ; restarts++) {
    let page = 0;
    let token: string | undefined;
    try {
      let next: Promise<{ body: ListPage }> | undefined = fetchPage(undefined);
      let resourceVersion = '';
      while (next !== undefined) {
        const { body }: { body: ListPage } = await next;
        token = body.metadata?.continue || undefined;
        resourceVersion = body.metadata?.resourceVersion ?? resourceVersion;
        next = token === undefined ? undefined : fetchPage(token);
        // Handled by the `await next` above on the next turn; until then a rejection is not unhandled.
        next?.catch(() => {});
        await options.onPage(body.items ?? [], ++page);
      }
      return resourceVersion;
    } catch (error) {
      const expired = error instanceof KubeApiError && error.status === 410 && page > 0;
      if (!expired || restarts >= MAX_LIST_RESTARTS) throw error;
      options.onRestart?.();
    }
  }
}

/**
 * An item of a list (or a watch event's object) as the validator sees it: with the apiVersion and kind list items
 * lack, and without `metadata.managedFields`, which no policy reads and which is often most of an object's size.
 */
export function clusterObject(kind: AuditedKind, item: Record<string, unknown>): Record<string, unknown> {
  const { managedFields: _, ...metadata } = (item.metadata ?? {}) as Record<string, unknown>;
  return { ...item, apiVersion: apiVersionOf(kind), kind: kind.kind, metadata };
}
