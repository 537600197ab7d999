import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { WRITER_STYLES, writeCorpus, writtenDocuments, writtenManifests } from './manifest-writers.js';

const COUNT = 300;
const SEED = 11;

describe('writer-style corpora', () => {
  it.each(WRITER_STYLES)('%s parses (with the yaml package) back to the same objects', (style) => {
    const text = writeCorpus(style, COUNT, SEED);
    const documents = parseAllDocuments(text);
    for (const doc of documents) expect(doc.errors).toEqual([]);
    expect(documents.map((doc) => doc.toJS())).toEqual(writtenDocuments(style, COUNT, SEED));
    expect(writtenManifests(style, COUNT, SEED)).toHaveLength(COUNT);
  });

  it.each(WRITER_STYLES)(
    '%s is reproducible from its seed, and another seed gives another corpus',
    (style) => {
      expect(writeCorpus(style, 20, SEED)).toBe(writeCorpus(style, 20, SEED));
      expect(writeCorpus(style, 20, SEED + 1)).not.toBe(writeCorpus(style, 20, SEED));
    },
  );

  it('varies the Deployments: containers, namespaces, and some with findings', () => {
    const manifests = writtenManifests('kustomize', COUNT, SEED);
    const pods = manifests.map(
      (m) => (m.spec as { template: { spec: Record<string, unknown> } }).template.spec,
    );
    const containerCounts = new Set(pods.map((p) => (p.containers as unknown[]).length));
    expect([...containerCounts].sort()).toEqual([1, 2, 3]);
    expect(
      new Set(manifests.map((m) => (m.metadata as { namespace: string }).namespace)).size,
    ).toBeGreaterThan(4);
    const text = JSON.stringify(pods);
    for (const finding of [
      '"privileged":true',
      ':latest"',
      '"hostPath"',
      '"allowPrivilegeEscalation":true',
    ]) {
      expect(text).toContain(finding);
    }
    const withoutRequests = pods.filter((p) =>
      (p.containers as { resources?: { requests?: unknown } }[]).some(
        (c) => c.resources?.requests === undefined,
      ),
    );
    expect(withoutRequests.length).toBeGreaterThan(0);
    expect(withoutRequests.length).toBeLessThan(COUNT / 2);
  });

  it('lays each writer out as the real tool does', () => {
    const kubectl = writeCorpus('kubectl', 50, SEED);
    expect(kubectl).toMatch(/^apiVersion: v1\nitems:\n- apiVersion: apps\/v1\n {2}kind: Deployment\n/);
    expect(kubectl).toMatch(/\n {4}creationTimestamp: "2026-11-\d\dT[\d:]+Z"\n/);
    expect(kubectl).toMatch(
      /\n {6}kubectl\.kubernetes\.io\/last-applied-configuration: \|\n {8}\{"apiVersion"/,
    );
    expect(kubectl).toMatch(/\n {8}containers:\n {8}- /);
    expect(kubectl).toContain("value: '*'");
    expect(kubectl).toMatch(/\n {4}resourceVersion: "\d+"\n/);
    expect(kubectl).toMatch(/\nkind: List\nmetadata:\n {2}resourceVersion: ""\n$/);
    // go-yaml folds a plain scalar at the first space past column 80.
    expect(kubectl.split('\n').some((line) => line.endsWith('has') || line.endsWith('successfully'))).toBe(
      false,
    );
    expect(kubectl).toMatch(
      /\n {6}message: ReplicaSet "[^"]+" has successfully progressed\.\n|\n {8}progressed\.\n/,
    );

    const helm = writeCorpus('helm', 50, SEED);
    expect(helm).toMatch(
      /^---\n# Source: \w+\/templates\/deployment\.yaml\napiVersion: apps\/v1\nkind: Deployment\n/,
    );
    expect(helm).toMatch(/\n {6}containers:\n {8}- name: /);
    expect(helm).toMatch(/\n {10}image: "[^"]+"\n/);
    expect(helm).toMatch(/\n {12}capabilities:\n {14}drop:\n {14}- ALL\n/);

    const kustomize = writeCorpus('kustomize', 50, SEED);
    expect(kustomize).toMatch(/^apiVersion: apps\/v1\nkind: Deployment\nmetadata:\n {2}\w/);
    expect(kustomize).toContain('\n---\napiVersion: apps/v1\n');
    expect(kustomize).toMatch(/\n {6}containers:\n {6}- /);

    const pyyaml = writeCorpus('pyyaml', 50, SEED);
    expect(pyyaml).toMatch(/\n +cpu: '(1|2|0\.5)'\n/);
    expect(pyyaml).not.toMatch(/: "/);

    const flow = writeCorpus('flow', 50, SEED);
    expect(flow.startsWith('{')).toBe(true);
    expect(flow).toContain('\n---\n{');

    const json = writeCorpus('json-list', 50, SEED);
    expect(json).toMatch(
      /^\{\n {4}"apiVersion": "v1",\n {4}"items": \[\n {8}\{\n {12}"apiVersion": "apps\/v1",\n/,
    );
  });
});
