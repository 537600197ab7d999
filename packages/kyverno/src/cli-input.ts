/**
 * What `kyverno apply` and `kyverno test` do to a resource as they load it (cmd/cli/kubectl-kyverno/resource,
 * v1.19.0): a namespaced resource without a namespace gets "default", and a null `annotations`, `labels`,
 * `matchLabels`, `nodeSelector`, `data` or `stringData` becomes `{}`. Generated test resources are written in this
 * form, so the CLI evaluates exactly the object the expected results were computed on. (Every kind Palisade
 * matches is namespaced.)
 */
const NIL_MAP_FIELDS = new Set([
  'annotations',
  'labels',
  'matchLabels',
  'nodeSelector',
  'data',
  'stringData',
]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function normalizeNilMaps(node: unknown): unknown {
  if (Array.isArray(node)) return node.map((item) => (isObject(item) ? normalizeNilMaps(item) : item));
  if (!isObject(node)) return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k, v === null && NIL_MAP_FIELDS.has(k) ? {} : normalizeNilMaps(v)]),
  );
}

export function asKyvernoCliLoads(object: Record<string, unknown>): Record<string, unknown> {
  const normalized = normalizeNilMaps(object) as Record<string, unknown>;
  const metadata = isObject(normalized.metadata) ? normalized.metadata : {};
  if (typeof metadata.namespace === 'string' && metadata.namespace !== '') return normalized;
  return { ...normalized, metadata: { ...metadata, namespace: 'default' } };
}

/** The same object under another name (test resources need unique names; no catalogue rule reads names). */
export function renamed(object: Record<string, unknown>, name: string): Record<string, unknown> {
  const metadata = isObject(object.metadata) ? object.metadata : {};
  return { ...object, metadata: { ...metadata, name } };
}
