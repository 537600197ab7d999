import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { POD_CONTROLLER_KINDS, type PodKind } from '@palisade/core';
import { parseDocument } from 'yaml';

/** The folder holding the catalogue's policy folders (and their fixtures), from sources or from `dist/`. */
export const catalogueDir: string =
  basename(import.meta.dirname) === 'dist' ? dirname(import.meta.dirname) : import.meta.dirname;

/**
 * Catalogue fixtures: one object per file under `<policy>/fixtures/{allowed,denied}/`. A header comment may hold
 * `# message: <the exact result message>` (denied fixtures), `# pss-version: v1.N` and `# profile: baseline|restricted`.
 * An optional `<policy>/fixtures/params.yaml` holds the parameter values every fixture is evaluated with.
 */
export interface Fixture {
  file: string;
  name: string;
  expect: 'allowed' | 'denied';
  message: string | undefined;
  version: string | undefined;
  profile: 'baseline' | 'restricted' | undefined;
  object: Record<string, unknown>;
}

/** A `# key: value` line of the comment block that opens a fixture file. */
function header(text: string, key: string): string | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const match = new RegExp(`^#\\s*${key}:\\s?(.*)$`).exec(line);
    if (match) return match[1]?.trim();
  }
  return undefined;
}

export function loadFixtures(policyDir: string): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const expect of ['allowed', 'denied'] as const) {
    const dir = join(policyDir, 'fixtures', expect);
    let files: string[];
    try {
      files = readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .sort();
    } catch {
      continue;
    }
    for (const name of files) {
      const file = join(dir, name);
      const text = readFileSync(file, 'utf8');
      const doc = parseDocument(text);
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      const object = doc.toJS() as Record<string, unknown>;
      const profile = header(text, 'profile');
      if (profile !== undefined && profile !== 'baseline' && profile !== 'restricted') {
        throw new Error(`${file}: profile must be baseline or restricted`);
      }
      fixtures.push({
        file,
        name: `${expect}/${name.replace(/\.yaml$/, '')}`,
        expect,
        message: header(text, 'message'),
        version: header(text, 'pss-version'),
        profile,
        object,
      });
    }
  }
  return fixtures;
}

export function loadFixtureParams(policyDir: string): unknown {
  try {
    return parseDocument(readFileSync(join(policyDir, 'fixtures', 'params.yaml'), 'utf8')).toJS();
  } catch {
    return undefined;
  }
}

const controllerApiVersion: Record<Exclude<PodKind, 'Pod'>, string> = {
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  ReplicationController: 'v1',
  CronJob: 'batch/v1',
};

/** Wraps a Pod in a controller of `kind` whose pod template is that Pod (name and namespace move up). */
export function wrapPodInController(
  pod: Record<string, unknown>,
  kind: Exclude<PodKind, 'Pod'>,
): Record<string, unknown> {
  const { name, namespace, ...templateMetadata } = (pod.metadata ?? {}) as Record<string, unknown>;
  const labels = (templateMetadata.labels as Record<string, string> | undefined) ?? {
    app: String(name ?? 'app'),
  };
  const template = { metadata: { ...templateMetadata, labels }, spec: pod.spec };
  const metadata: Record<string, unknown> = namespace === undefined ? { name } : { name, namespace };
  let spec: Record<string, unknown>;
  switch (kind) {
    case 'CronJob':
      spec = { schedule: '0 * * * *', jobTemplate: { spec: { template } } };
      break;
    case 'Job':
    case 'ReplicationController':
      spec = { template };
      break;
    default:
      spec = { selector: { matchLabels: labels }, template };
  }
  return { apiVersion: controllerApiVersion[kind], kind, metadata, spec };
}

export const CONTROLLER_KINDS = POD_CONTROLLER_KINDS;
