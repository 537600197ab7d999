import { describe, expect, it } from 'vitest';
import type { LoadedManifests } from './manifest-resources.js';
import { parseManifests } from './parse-manifests.js';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: team-a
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        privileged: true
`;

const names = (loaded: LoadedManifests) =>
  loaded.resources.map((r) => (r.object.metadata as { name: string }).name);

describe('parsing', () => {
  it('reads multi-document YAML, ignoring empty documents', () => {
    const loaded = parseManifests(
      `---\n# only a comment\n---\n${POD}---\n---\n${POD.replace('name: web', 'name: two')}...\n`,
      'f.yaml',
    );
    expect(names(loaded)).toEqual(['web', 'two']);
    expect(loaded.resources.map((r) => [r.document, r.line])).toEqual([
      [2, 4],
      [4, 17],
    ]);
    expect(loaded.errors).toEqual([]);
  });

  it('turns non-objects and documents without kind or apiVersion into input errors', () => {
    const loaded = parseManifests(
      `just a string\n---\n- a\n- list\n---\nkind: Pod\nmetadata: {name: x}\n---\napiVersion: v1\n---\n42\n---\n${POD}`,
      'f.yaml',
    );
    expect(names(loaded)).toEqual(['web']);
    expect(loaded.errors).toEqual([
      {
        file: 'f.yaml',
        document: 1,
        line: 1,
        message: 'not a Kubernetes object: expected a mapping, found a string',
      },
      {
        file: 'f.yaml',
        document: 2,
        line: 3,
        message: 'not a Kubernetes object: expected a mapping, found a sequence',
      },
      { file: 'f.yaml', document: 3, line: 6, message: 'not a Kubernetes object: missing apiVersion' },
      { file: 'f.yaml', document: 4, line: 9, message: 'not a Kubernetes object: missing kind' },
      {
        file: 'f.yaml',
        document: 5,
        line: 11,
        message: 'not a Kubernetes object: expected a mapping, found a number',
      },
    ]);
  });

  it('reports duplicate keys instead of picking one of the values', () => {
    const loaded = parseManifests(
      'apiVersion: v1\nkind: Pod\nspec:\n  hostPID: true\n  hostPID: false\n',
      'f.yaml',
    );
    expect(loaded.resources).toEqual([]);
    expect(loaded.errors).toEqual([
      { file: 'f.yaml', document: 1, line: 5, column: 3, message: 'invalid YAML: Map keys must be unique' },
    ]);
  });

  it('reads YAML as kubectl does: yes/on are booleans, 0644 is octal, timestamps and 1:20 stay strings', () => {
    const [pod] = parseManifests(
      'apiVersion: v1\nkind: Pod\nspec:\n  a: yes\n  b: on\n  c: 0644\n  d: 2024-01-02\n  e: 1:20\n  f: "yes"\n',
      'f.yaml',
    ).resources;
    expect(pod?.object.spec).toEqual({ a: true, b: true, c: 420, d: '2024-01-02', e: '1:20', f: 'yes' });
  });

  it('expands Lists (any kind ending in List with items) and reports bad items', () => {
    const loaded = parseManifests(
      `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata:
      name: first
  - not an object
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: second
    spec:
      template:
        spec:
          containers:
            - name: app
              securityContext:
                privileged: true
---
apiVersion: v1
kind: PodList
items: []
---
apiVersion: v1
kind: ConfigMapList
metadata: {name: not-a-list}
`,
      'list.yaml',
    );
    expect(names(loaded)).toEqual(['first', 'second', 'not-a-list']);
    expect(loaded.resources.map((r) => [r.kind, r.document, r.line])).toEqual([
      ['Pod', 1, 4],
      ['Deployment', 1, 9],
      ['ConfigMapList', 3, 25],
    ]);
    expect(loaded.errors).toEqual([
      {
        file: 'list.yaml',
        document: 1,
        line: 8,
        message: 'not a Kubernetes object: expected a mapping, found a string (items.1)',
      },
    ]);
    const deployment = loaded.resources[1];
    expect(
      deployment?.lineOf(['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'privileged']),
    ).toBe(19);
    expect(deployment?.lineOf(['metadata', 'name'])).toBe(12);
  });

  it('reads JSON, reporting where it is malformed', () => {
    const loaded = parseManifests('{"apiVersion": "v1", "kind": "Pod"}', 'p.json', { format: 'json' });
    expect(loaded.resources).toHaveLength(1);
    const broken = parseManifests('{\n  "apiVersion": "v1"\n  "kind": "Pod"\n}\n', 'b.json', {
      format: 'json',
    });
    expect(broken.resources).toEqual([]);
    expect(broken.errors).toEqual([
      { file: 'b.json', document: 1, line: 3, column: 3, message: expect.stringMatching(/^invalid JSON: /) },
    ]);
  });
});

describe('line numbers', () => {
  const [pod] = parseManifests(`# leading comment\n${POD}`, 'pod.yaml').resources;

  it('gives the line of a field from its path', () => {
    expect(pod?.line).toBe(2);
    expect(pod?.lineOf(['spec', 'containers', 0, 'securityContext', 'privileged'])).toBe(12);
    expect(pod?.lineOf(['spec', 'containers', 0])).toBe(9);
    expect(pod?.lineOf(['metadata', 'namespace'])).toBe(6);
    expect(pod?.lineOf([])).toBe(2);
  });

  it('falls back to the nearest ancestor present in the source', () => {
    expect(pod?.lineOf(['spec', 'containers', 0, 'securityContext', 'runAsNonRoot'])).toBe(11);
    expect(pod?.lineOf(['spec', 'containers', 3, 'image'])).toBe(8);
    expect(pod?.lineOf(['spec', 'securityContext', 'seccompProfile', 'type'])).toBe(7);
  });

  it('follows merge keys and aliases to where a field is written', () => {
    const [merged] = parseManifests(
      'apiVersion: v1\nkind: Pod\nx-defaults: &defaults\n  privileged: true\nspec:\n  <<: *defaults\n  hostPID: true\n',
      'f.yaml',
    ).resources;
    expect(merged?.object.spec).toEqual({ privileged: true, hostPID: true });
    expect(merged?.lineOf(['spec', 'privileged'])).toBe(4);
    expect(merged?.lineOf(['spec', 'hostPID'])).toBe(7);
  });

  it('finds lines in JSON, including the items of a List and keys with escapes', () => {
    const text = JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', annotations: { 'x"y': '1' } } },
          {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'b' },
            spec: { containers: [{ name: 'c', securityContext: {} }] },
          },
        ],
      },
      null,
      2,
    );
    // Lines as JSON.stringify lays the text out, after one leading blank line.
    const [a, b] = parseManifests(`\n${text}`, 'list.json', { format: 'json' }).resources;
    expect(a?.line).toBe(6);
    expect(a?.lineOf(['metadata', 'annotations', 'x"y'])).toBe(12);
    expect(b?.line).toBe(16);
    expect(b?.lineOf(['spec', 'containers', 0, 'securityContext', 'privileged'])).toBe(26);
    expect(b?.lineOf(['spec', 'containers', 0, 'name'])).toBe(25);
  });

  it('counts lines from the start of the file in later documents', () => {
    const loaded = parseManifests(`${POD}---\n${POD}`, 'f.yaml');
    expect(loaded.resources[1]?.lineOf(['spec', 'containers', 0, 'securityContext', 'privileged'])).toBe(23);
  });
});

describe('pathological input', () => {
  // A throw fails the test. Not through `expect(() => ...).not.toThrow()`: in a vitest worker, those few extra
  // frames made the stack overflow land inside V8's regular expression compiler, which aborts the worker
  // ("RegExpCompiler Allocation failed") instead of throwing; plain node and the CLI report an input error.
  it('never throws, even on pathological nesting', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(parseManifests(deep, 'deep.yaml').errors).toHaveLength(1);
    expect(parseManifests(deep, 'deep.json', { format: 'json' }).errors).toHaveLength(1);
  });
});
