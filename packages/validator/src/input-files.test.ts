import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findManifestFiles, loadManifestFile, loadManifests, STDIN_NAME } from './input-files.js';
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
