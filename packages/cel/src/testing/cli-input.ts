/**
 * What `kyverno apply` does to a resource as it loads it (cmd/cli/kubectl-kyverno/resource/resource.go, v1.19.0),
 * so the validator can be shown the same object: a namespaced resource without a namespace gets "default", and a
 * null `annotations`, `labels`, `matchLabels`, `nodeSelector`, `data` or `stringData` becomes `{}`. (Every kind the
 * catalogue matches is namespaced.)
 */
const NIL_MAP_FIELDS = new Set([
  'annotations',
  'labels',
  'matchLabels',
  'nodeSelector',
  'data',
  'stringData',
]);

function normalizeNilMaps(node: unknown): unknown {
  if (Array.isArray(node)) return node.map((item) => (isObject(item) ? normalizeNilMaps(item) : item));
  if (!isObject(node)) return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k, v === null && NIL_MAP_FIELDS.has(k) ? {} : normalizeNilMaps(v)]),
  );
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function asKyvernoCliLoads(object: Record<string, unknown>): Record<string, unknown> {
  const normalized = normalizeNilMaps(object) as Record<string, unknown>;
  const metadata = isObject(normalized.metadata) ? normalized.metadata : {};
  if (typeof metadata.namespace === 'string' && metadata.namespace !== '') return normalized;
  return { ...normalized, metadata: { ...metadata, namespace: 'default' } };
}
