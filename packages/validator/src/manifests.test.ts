import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findManifestFiles,
  type LoadedManifests,
  loadManifestFile,
  loadManifests,
  parseManifests,
  STDIN_NAME,
} from './manifests.js';

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

/** "Billion laughs": 9^6 strings from a few hundred bytes when aliases are expanded. */
const ALIAS_BOMB = `apiVersion: v1
kind: ConfigMap
metadata: {name: lol}
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
data: {x: *f}
`;

const names = (loaded: LoadedManifests) =>
  loaded.resources.map((r) => (r.object.metadata as { name: string }).name);

let dir: string;
const path = (...parts: string[]) => join(dir, ...parts);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-manifests-'));
  mkdirSync(path('tree', 'nested', 'deeper'), { recursive: true });
  writeFileSync(path('tree', 'b.yaml'), POD.replace('name: web', 'name: b'));
  writeFileSync(path('tree', 'a.yml'), POD.replace('name: web', 'name: a'));
  writeFileSync(
    path('tree', 'nested', 'c.json'),
    JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c' } }),
  );
  writeFileSync(path('tree', 'nested', 'deeper', 'd.YAML'), POD.replace('name: web', 'name: d'));
  writeFileSync(path('tree', 'notes.txt'), POD.replace('name: web', 'name: ignored'));
  writeFileSync(path('tree', 'README.md'), '# not a manifest');
  symlinkSync(path('tree'), path('tree', 'nested', 'loop'));
  writeFileSync(path('pod.manifest'), POD);
  writeFileSync(path('bomb.yaml'), ALIAS_BOMB);
  writeFileSync(
    path('binary.yaml'),
    Buffer.concat([Buffer.from('apiVersion: v1\nkind: Pod\n'), Buffer.from([0, 1, 2, 3])]),
  );
  writeFileSync(path('two-docs.yaml'), `${POD}---\napiVersion: v1\nkind: Pod\nmetadata: {name: broken\n`);
  writeFileSync(path('big.yaml'), `${POD}# ${'x'.repeat(4096)}\n`);
  symlinkSync(path('missing-target.yaml'), path('dangling.yaml'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('finding files', () => {
  it('walks directories recursively in sorted order, taking only .yaml, .yml and .json files', () => {
    const found = findManifestFiles([path('tree')]);
    expect(found.files).toEqual([
      path('tree', 'a.yml'),
      path('tree', 'b.yaml'),
      path('tree', 'nested', 'c.json'),
      path('tree', 'nested', 'deeper', 'd.YAML'),
    ]);
    expect(found.errors).toEqual([]);
  });

  it('loads explicitly named files whatever their extension, once each, and keeps - for standard input', () => {
    const found = findManifestFiles([path('pod.manifest'), '-', path('tree', 'a.yml'), path('tree')]);
    expect(found.files).toEqual([
      path('pod.manifest'),
      '-',
      path('tree', 'a.yml'),
      path('tree', 'b.yaml'),
      path('tree', 'nested', 'c.json'),
      path('tree', 'nested', 'deeper', 'd.YAML'),
    ]);
  });

  it('reports unreadable paths and goes on', () => {
    const found = findManifestFiles([path('nope'), path('dangling.yaml'), path('tree', 'a.yml')]);
    expect(found.files).toEqual([path('tree', 'a.yml')]);
    expect(found.errors).toEqual([
      { file: path('nope'), message: 'cannot read: no such file or directory' },
      { file: path('dangling.yaml'), message: 'cannot read: no such file or directory' },
    ]);
  });
});

describe('loading', () => {
  it('loads every file under the paths with file, document and line', async () => {
    const loaded = await loadManifests([path('tree'), path('pod.manifest')]);
    expect(names(loaded)).toEqual(['a', 'b', 'c', 'd', 'web']);
    expect(loaded.errors).toEqual([]);
    const [a] = loaded.resources;
    expect(a).toMatchObject({
      file: path('tree', 'a.yml'),
      document: 1,
      line: 1,
      kind: 'Pod',
      apiVersion: 'v1',
    });
  });

  it('stops an alias bomb (billion laughs) as an input error, at its first alias', async () => {
    const loaded = await loadManifestFile(path('bomb.yaml'));
    expect(loaded.resources).toEqual([]);
    expect(loaded.errors).toEqual([
      {
        file: path('bomb.yaml'),
        document: 1,
        line: 5,
        column: 8,
        message: expect.stringMatching(/resource exhaustion/),
      },
    ]);
  });

  it('allows ordinary aliases', () => {
    const loaded = parseManifests(
      'apiVersion: v1\nkind: Pod\nmetadata: &m {name: x}\nspec: {template: {metadata: *m}}\n',
      'f',
    );
    expect(loaded.errors).toEqual([]);
    expect(loaded.resources[0]?.object.spec).toEqual({ template: { metadata: { name: 'x' } } });
  });

  it('rejects binary files (a NUL byte in the first 8 KiB)', async () => {
    const loaded = await loadManifestFile(path('binary.yaml'));
    expect(loaded).toEqual({
      resources: [],
      errors: [{ file: path('binary.yaml'), message: 'binary file (it contains a NUL byte)' }],
    });
  });

  it('keeps the good document of a file whose second document is malformed', async () => {
    const loaded = await loadManifestFile(path('two-docs.yaml'));
    expect(names(loaded)).toEqual(['web']);
    // The unclosed flow mapping is reported where it opens, not where the parser gave up.
    expect(loaded.errors).toEqual([
      {
        file: path('two-docs.yaml'),
        document: 2,
        line: 15,
        column: 11,
        message: expect.stringMatching(/^invalid YAML: /),
      },
    ]);
  });

  it('rejects files over the size limit without reading them', async () => {
    const loaded = await loadManifestFile(path('big.yaml'), { maxFileSize: 1024 });
    expect(loaded.errors).toEqual([
      { file: path('big.yaml'), message: 'file is larger than the 1 KiB limit' },
    ]);
    expect((await loadManifestFile(path('big.yaml'))).resources).toHaveLength(1);
  });

  it('reports unreadable paths and directories named as files', async () => {
    expect((await loadManifestFile(path('nope.yaml'))).errors).toEqual([
      { file: path('nope.yaml'), message: 'cannot read: no such file or directory' },
    ]);
    expect((await loadManifestFile(path('tree'))).errors).toEqual([
      { file: path('tree'), message: 'is a directory' },
    ]);
  });

  it('keeps loading other files after bad ones', async () => {
    const loaded = await loadManifests([
      path('bomb.yaml'),
      path('nope'),
      path('binary.yaml'),
      path('two-docs.yaml'),
      path('tree', 'a.yml'),
    ]);
    expect(names(loaded)).toEqual(['web', 'a']);
    expect(loaded.errors.map((e) => e.file)).toEqual([
      path('nope'),
      path('bomb.yaml'),
      path('binary.yaml'),
      path('two-docs.yaml'),
    ]);
  });

  it('reads - from standard input, YAML or JSON, within the size limit', async () => {
    async function* chunks(...parts: string[]) {
      for (const part of parts) yield Buffer.from(part);
    }
    const yaml = await loadManifestFile('-', { stdin: chunks(POD.slice(0, 20), POD.slice(20)) });
    expect(names(yaml)).toEqual(['web']);
    expect(yaml.resources[0]?.file).toBe(STDIN_NAME);
    const json = await loadManifestFile('-', {
      stdin: chunks('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"j"}}'),
    });
    expect(names(json)).toEqual(['j']);
    const tooBig = await loadManifestFile('-', { stdin: chunks(POD, POD), maxFileSize: POD.length + 1 });
    expect(tooBig.errors).toEqual([
      { file: STDIN_NAME, message: `file is larger than the ${POD.length + 1} bytes limit` },
    ]);
    expect((await loadManifestFile('-')).errors).toEqual([
      { file: STDIN_NAME, message: 'standard input is not available' },
    ]);
  });

  it('reports progress per file', async () => {
    const seen: string[] = [];
    await loadManifests([path('tree')], { onProgress: (done, total) => seen.push(`${done}/${total}`) });
    expect(seen).toEqual(['1/4', '2/4', '3/4', '4/4']);
  });
});

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

  it('never throws, even on pathological nesting', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(() => parseManifests(deep, 'deep.yaml')).not.toThrow();
    expect(parseManifests(deep, 'deep.yaml').errors).toHaveLength(1);
    expect(parseManifests(deep, 'deep.json', { format: 'json' }).errors).toHaveLength(1);
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
