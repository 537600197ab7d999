import type { KubeCluster } from '@palisade/kube-harness';
import { parseAllDocuments } from 'yaml';

type Json = unknown;

/** Every YAML document of a generated file, as objects (a file may hold several). */
export function manifests(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null);
}

/**
 * Where `stored` lacks or changes what `sent` has: the paths of every leaf of `sent` not equal in `stored`.
 * Fields the API server adds (defaults) are not differences; a pruned or rewritten one is.
 */
export function droppedPaths(sent: Json, stored: Json, path = ''): string[] {
  if (Array.isArray(sent)) {
    if (!Array.isArray(stored)) return [path || '.'];
    if (sent.length !== stored.length) return [`${path} (length ${sent.length} -> ${stored.length})`];
    return sent.flatMap((v, i) => droppedPaths(v, stored[i], `${path}[${i}]`));
  }
  if (typeof sent === 'object' && sent !== null) {
    if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return [path || '.'];
    const s = stored as Record<string, Json>;
    return Object.entries(sent).flatMap(([k, v]) =>
      k in s ? droppedPaths(v, s[k], `${path}.${k}`) : [`${path}.${k}`],
    );
  }
  return sent === stored ? [] : [`${path} (${JSON.stringify(sent)} -> ${JSON.stringify(stored)})`];
}

export interface StrictAcceptance {
  /** `kind/name` */
  object: string;
  status: number;
  /** the API server's message when refused, or a warning */
  problems: string[];
  /** paths of the sent spec (and metadata labels/annotations) the stored object lost or changed */
  dropped: string[];
}

/**
 * Creates an object for real (not dry-run, so it can be read back) with `fieldValidation=Strict`, then reads it
 * back: accepted means 201, no warnings, and every field sent stored unchanged (nothing pruned).
 */
export async function createStrict(
  cluster: KubeCluster,
  object: Record<string, unknown>,
): Promise<StrictAcceptance> {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const name = `${String(object.kind)}/${String(metadata.name)}`;
  const created = await cluster.create<Record<string, unknown>>(object, { fieldValidation: 'Strict' });
  if (created.status !== 201) {
    const body = created.body as { message?: string };
    return {
      object: name,
      status: created.status,
      problems: [body.message ?? JSON.stringify(body)],
      dropped: [],
    };
  }
  const path = await cluster.collectionPath(
    String(object.apiVersion),
    String(object.kind),
    // the namespace the API server put it in (the harness defaults namespaced kinds to `default`)
    (created.body.metadata as { namespace?: string } | undefined)?.namespace,
  );
  const read = await cluster.request<Record<string, unknown>>({
    method: 'GET',
    path: `${path}/${metadata.name}`,
  });
  const { apiVersion, kind, metadata: _m, ...rest } = object;
  const sent = { ...rest, labels: metadata.labels, annotations: metadata.annotations };
  const storedMeta = (read.body.metadata ?? {}) as Record<string, unknown>;
  const stored = { ...read.body, labels: storedMeta.labels, annotations: storedMeta.annotations };
  return {
    object: name,
    status: created.status,
    problems: created.warnings,
    dropped: droppedPaths(sent, stored),
  };
}
