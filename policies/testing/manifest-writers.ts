/**
 * Corpora of Deployments printed as each common writer prints them, so YAML readers (the validator's fast path, the
 * CLI) are tested and measured on what users feed them rather than on one hand-written layout. Seeded: a style,
 * count and seed name one exact text.
 *
 * Layouts, and the tool version each follows:
 * - `kubectl`: `kubectl get deployments -o yaml` (kubectl 1.31; sigs.k8s.io/yaml over go-yaml v2.4): one `v1 List`
 *   of live objects (server defaults, metadata, status, the last-applied annotation as a `|` block of JSON), keys
 *   sorted in go-yaml's order, sequences not indented under their key, strings double-quoted where they would
 *   resolve to another type (`"1"`, `"true"`, timestamps, `""`), single-quoted where plain is not allowed (`'*'`,
 *   `'key: value'`), lines folded past column 80.
 * - `helm`: `helm template` (Helm 3.16): `---` and `# Source: <chart>/templates/deployment.yaml` before each
 *   document, the chart author's key order and indented sequences, values through `| quote` double-quoted,
 *   `toYaml | nindent` blocks in go-yaml v2's layout (an empty one as `{}` on its own line).
 * - `kustomize`: `kustomize build` (kustomize 5.4; kyaml over go-yaml v3): keys sorted (apiVersion, kind,
 *   metadata first), sequences not indented, go-yaml v3 quoting, no folding, `---` between documents.
 * - `pyyaml`: `yaml.dump_all(docs, default_flow_style=False)` (PyYAML 6.0): keys sorted by code point, sequences
 *   not indented, strings single-quoted where PyYAML's YAML 1.1 resolver would read another type, folded past 80.
 * - `flow`: the `yaml` package 2.9 `stringify(doc, { collectionStyle: 'flow' })`: each document in flow style,
 *   wrapped at 80 columns; `---` between documents.
 * - `json-list`: `kubectl get deployments -o json` (kubectl 1.31; Go `json.MarshalIndent`, 4 spaces): one `v1 List`
 *   of the same live objects as `kubectl`, keys sorted, `<`, `>`, `&` escaped as Go escapes them.
 */
import { stringify } from 'yaml';
import {
  codePointKeyOrder,
  emitLibyaml,
  goYamlKeyOrder,
  goYamlResolvesToNonString,
  type LibyamlDialect,
  pyYamlResolvesToNonString,
} from './libyaml-emitter.js';
import { asServerObject, type Manifest, writerDeployments } from './writer-deployments.js';

export { type Manifest, writerDeployments } from './writer-deployments.js';

export const WRITER_STYLES = ['kubectl', 'helm', 'kustomize', 'pyyaml', 'flow', 'json-list'] as const;
export type WriterStyle = (typeof WRITER_STYLES)[number];

/** The format a style's text is in, for `parseManifests(text, file, { format })` and the file's extension. */
export function writerFormat(style: WriterStyle): 'yaml' | 'json' {
  return style === 'json-list' ? 'json' : 'yaml';
}

/** A file name for a style's corpus: `<style>.yaml` or `<style>.json`. */
export function writerFileName(style: WriterStyle): string {
  return `${style}.${writerFormat(style)}`;
}

const GO_YAML_V2: LibyamlDialect = {
  orderKeys: goYamlKeyOrder,
  resolvesToNonString: goYamlResolvesToNonString,
  ambiguousQuote: '"',
  bestWidth: 80,
  multiline: 'literal',
};

/** kyaml writes apiVersion, kind and metadata first, then the rest sorted; go-yaml v3 does not fold long lines. */
const KYAML: LibyamlDialect = {
  ...GO_YAML_V2,
  orderKeys: (keys, path) => {
    const sorted = goYamlKeyOrder(keys);
    if (path.length > 0) return sorted;
    const first = ['apiVersion', 'kind', 'metadata'].filter((key) => keys.includes(key));
    return [...first, ...sorted.filter((key) => !first.includes(key))];
  },
  bestWidth: Number.POSITIVE_INFINITY,
};

const PYYAML: LibyamlDialect = {
  orderKeys: codePointKeyOrder,
  resolvesToNonString: pyYamlResolvesToNonString,
  ambiguousQuote: "'",
  bestWidth: 80,
  multiline: 'unsupported',
};

/** `kubectl get` prints one List of the live objects. */
function liveList(count: number, seed: number): Manifest {
  return {
    apiVersion: 'v1',
    items: writerDeployments(count, seed).map(asServerObject),
    kind: 'List',
    metadata: { resourceVersion: '' },
  };
}

/**
 * The documents a style's text holds, as plain data: the `v1 List` of live objects for `kubectl` and `json-list`,
 * otherwise the Deployments as written. Parsing `writeCorpus(style, count, seed)` gives exactly these.
 */
export function writtenDocuments(style: WriterStyle, count: number, seed: number): Manifest[] {
  if (style === 'kubectl' || style === 'json-list') return [liveList(count, seed)];
  if (style === 'helm') return writerDeployments(count, seed).map(asChartRendersIt);
  return writerDeployments(count, seed);
}

/** The chart always renders the pod's `securityContext` (`toYaml` of an empty value prints `{}`). */
function asChartRendersIt(d: Manifest): Manifest {
  const spec = d.spec as Manifest;
  const template = spec.template as Manifest;
  const pod = template.spec as Manifest;
  if (pod.securityContext !== undefined) return d;
  return { ...d, spec: { ...spec, template: { ...template, spec: { ...pod, securityContext: {} } } } };
}

/** The manifests a style's text holds (the List's items for `kubectl` and `json-list`). */
export function writtenManifests(style: WriterStyle, count: number, seed: number): Manifest[] {
  return writtenDocuments(style, count, seed).flatMap((doc) =>
    doc.kind === 'List' ? (doc.items as Manifest[]) : [doc],
  );
}

/** Go's encoding/json output: sorted keys, HTML-safe escapes, `MarshalIndent(v, "", "    ")` plus kubectl's "\n". */
function goJsonIndent(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v !== null && typeof v === 'object') {
      const entries = v as Record<string, unknown>;
      return Object.fromEntries(
        codePointKeyOrder(Object.keys(entries)).map((key) => [key, sorted(entries[key])]),
      );
    }
    return v;
  };
  const text = JSON.stringify(sorted(value), null, 4).replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${text}\n`;
}

/** `helm template`: the chart author's layout (see the module comment). */
function helmDocument(d: Manifest): string {
  const toYaml = (value: unknown, indent: number): string => {
    const pad = ' '.repeat(indent);
    const text = emitLibyaml(value, GO_YAML_V2).replace(/\n$/, '');
    return `\n${pad}${text.replaceAll('\n', `\n${pad}`)}`;
  };
  const quote = (value: unknown) => JSON.stringify(String(value));
  const metadata = d.metadata as Manifest;
  const spec = d.spec as Manifest;
  const template = spec.template as Manifest;
  const pod = template.spec as Manifest;
  const labelLines = (labels: Manifest, indent: number) =>
    Object.entries(labels)
      .map(
        ([key, value]) =>
          `${' '.repeat(indent)}${key}: ${key === 'app.kubernetes.io/version' ? quote(value) : value}`,
      )
      .join('\n');
  const app = String((metadata.labels as Manifest)['app.kubernetes.io/part-of']);
  const lines = [
    '---',
    `# Source: ${app}/templates/deployment.yaml`,
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${metadata.name}`,
    `  namespace: ${metadata.namespace}`,
    '  labels:',
    labelLines(metadata.labels as Manifest, 4),
  ];
  if (metadata.annotations) lines.push(`  annotations:${toYaml(metadata.annotations, 4)}`);
  lines.push(
    'spec:',
    `  replicas: ${spec.replicas}`,
    '  selector:',
    '    matchLabels:',
    labelLines((spec.selector as Manifest).matchLabels as Manifest, 6),
    '  template:',
    '    metadata:',
    '      labels:',
    labelLines((template.metadata as Manifest).labels as Manifest, 8),
    '    spec:',
  );
  for (const key of [
    'automountServiceAccountToken',
    'serviceAccountName',
    'runtimeClassName',
    'hostNetwork',
  ]) {
    if (pod[key] !== undefined) lines.push(`      ${key}: ${pod[key]}`);
  }
  lines.push(`      securityContext:${toYaml(pod.securityContext ?? {}, 8)}`, '      containers:');
  for (const c of pod.containers as Manifest[]) {
    lines.push(`        - name: ${c.name}`, `          image: ${quote(c.image)}`);
    if (c.imagePullPolicy) lines.push(`          imagePullPolicy: ${c.imagePullPolicy}`);
    for (const key of ['command', 'args'] as const)
      if (c[key]) lines.push(`          ${key}:${toYaml(c[key], 12)}`);
    if (c.ports) {
      lines.push('          ports:');
      for (const port of c.ports as Manifest[]) {
        const [first, ...rest] = Object.entries(port);
        lines.push(
          `            - ${first?.[0]}: ${first?.[1]}`,
          ...rest.map(([k, v]) => `              ${k}: ${v}`),
        );
      }
    }
    if (c.env) {
      lines.push('          env:');
      for (const e of c.env as Manifest[]) {
        lines.push(`            - name: ${e.name}`);
        if ('value' in e) lines.push(`              value: ${quote(e.value)}`);
        else lines.push(`              valueFrom:${toYaml(e.valueFrom, 16)}`);
      }
    }
    for (const key of ['livenessProbe', 'readinessProbe'] as const)
      if (c[key]) lines.push(`          ${key}:${toYaml(c[key], 12)}`);
    lines.push(`          resources:${toYaml(c.resources ?? {}, 12)}`);
    if (c.securityContext) lines.push(`          securityContext:${toYaml(c.securityContext, 12)}`);
    lines.push('          volumeMounts:');
    for (const mount of c.volumeMounts as Manifest[]) {
      lines.push(`            - name: ${mount.name}`, `              mountPath: ${mount.mountPath}`);
      if (mount.readOnly !== undefined) lines.push(`              readOnly: ${mount.readOnly}`);
    }
  }
  lines.push('      volumes:');
  for (const volume of pod.volumes as Manifest[]) {
    lines.push(`        - name: ${volume.name}`);
    if (volume.emptyDir) lines.push('          emptyDir: {}');
    if (volume.configMap)
      lines.push('          configMap:', `            name: ${(volume.configMap as Manifest).name}`);
    if (volume.secret)
      lines.push('          secret:', `            secretName: ${(volume.secret as Manifest).secretName}`);
    if (volume.hostPath)
      lines.push('          hostPath:', `            path: ${(volume.hostPath as Manifest).path}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `count` seeded Deployments (see writerDeployments) printed as `style`'s writer prints them. */
export function writeCorpus(style: WriterStyle, count: number, seed: number): string {
  switch (style) {
    case 'kubectl':
      return emitLibyaml(liveList(count, seed), GO_YAML_V2);
    case 'json-list':
      return goJsonIndent(liveList(count, seed));
    case 'helm':
      return writerDeployments(count, seed).map(helmDocument).join('');
    case 'kustomize':
      return writerDeployments(count, seed)
        .map((d) => emitLibyaml(d, KYAML))
        .join('---\n');
    case 'pyyaml':
      return writerDeployments(count, seed)
        .map((d) => emitLibyaml(d, PYYAML))
        .join('---\n');
    case 'flow':
      return writerDeployments(count, seed)
        .map((d) => stringify(d, { collectionStyle: 'flow' }))
        .join('---\n');
  }
}
