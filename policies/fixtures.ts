import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
 *
 * Further parameter settings are sub-folders `<policy>/fixtures/<setting>/` with their own `params.yaml` and
 * `allowed/`, `denied/` folders (`loadFixtureSets`). The engine tests and differentials use the top-level set and
 * its params.yaml; `palisade build` writes the top-level fixtures as tests whatever the configured parameters, so
 * for a policy whose parameters have defaults they should give the same verdict with and without parameters.
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

/** The top-level fixtures of a policy folder, evaluated with `loadFixtureParams`. */
export function loadFixtures(policyDir: string): Fixture[] {
  return fixturesIn(join(policyDir, 'fixtures'), '');
}

function fixturesIn(fixturesDir: string, namePrefix: string): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const expect of ['allowed', 'denied'] as const) {
    const dir = join(fixturesDir, expect);
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
        name: `${namePrefix}${expect}/${name.replace(/\.yaml$/, '')}`,
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
  return paramsIn(join(policyDir, 'fixtures'));
}

function paramsIn(fixturesDir: string): unknown {
  try {
    return parseDocument(readFileSync(join(fixturesDir, 'params.yaml'), 'utf8')).toJS();
  } catch {
    return undefined;
  }
}

/** Fixtures evaluated with one parameter setting. */
export interface FixtureSet {
  /** `''` for the top-level set, else the sub-folder's name. */
  setting: string;
  /** Parameter values (undefined: the policy's defaults). */
  params: unknown;
  fixtures: Fixture[];
}

/** The top-level set and every parameter setting sub-folder (which must have its own params.yaml). */
export function loadFixtureSets(policyDir: string): FixtureSet[] {
  const fixturesDir = join(policyDir, 'fixtures');
  const sets: FixtureSet[] = [
    { setting: '', params: loadFixtureParams(policyDir), fixtures: loadFixtures(policyDir) },
  ];
  let entries: string[];
  try {
    entries = readdirSync(fixturesDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== 'allowed' && e.name !== 'denied')
      .map((e) => e.name)
      .sort();
  } catch {
    return sets;
  }
  for (const setting of entries) {
    const dir = join(fixturesDir, setting);
    if (!existsSync(join(dir, 'params.yaml'))) {
      throw new Error(`${dir}: a parameter setting folder needs a params.yaml`);
    }
    sets.push({ setting, params: paramsIn(dir), fixtures: fixturesIn(dir, `${setting}/`) });
  }
  return sets;
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
