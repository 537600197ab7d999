import type { PolicyConfig, PolicyException } from '@palisade/core';
import { type ResultStatus, Validator } from '@palisade/validator';
import { asKyvernoCliLoads, renamed } from './cli-input.js';
import { kyvernoInert } from './inert.js';
import { toYaml, toYamlDocuments } from './yaml.js';

/** A catalogue fixture, passed in as data (see policies/testing `loadFixtures`). */
export interface FixtureInput {
  /** e.g. `denied/pod-latest`. */
  name: string;
  expect: 'allowed' | 'denied';
  object: Record<string, unknown>;
}

export type PolicyKind = 'ClusterPolicy' | 'ValidatingPolicy';

const resultOf = (status: ResultStatus): 'pass' | 'fail' | 'skip' =>
  status === 'fail' || status === 'warn' ? 'fail' : status === 'skip' ? 'skip' : 'pass';

/**
 * `kyverno-test.yaml` and `resources.yaml` for one policy folder (the policy is `policy.yaml` beside them;
 * `exceptions.files` are paths of the PolicyExceptions that cover it, relative to the folder). Expected results come from the validator on the
 * object as the CLI loads it, and must agree with each fixture's allowed/denied label (a disagreement is a problem,
 * and that fixture is left out).
 */
export function testFolder(
  config: PolicyConfig,
  kind: PolicyKind,
  fixtures: readonly FixtureInput[],
  exceptions: { applied: readonly PolicyException[]; files: readonly string[]; now: Date },
): { files: Map<string, string>; problems: string[] } {
  const id = config.policy.id;
  const validator = new Validator({
    policies: [config],
    exceptions: exceptions.applied,
    now: exceptions.now,
  });
  const problems: string[] = [];
  const resources: Record<string, unknown>[] = [];
  const groups = new Map<string, { kind: string; result: string; names: string[] }>();
  for (const fixture of fixtures) {
    const name = fixture.name.replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
    const object = renamed(asKyvernoCliLoads(fixture.object), name);
    const result = validator.validate(object)[0];
    if (!result) {
      problems.push(
        `${id}: fixture ${fixture.name} is not matched by the policy; left out of the kyverno test`,
      );
      continue;
    }
    const expected = resultOf(result.status);
    if ((expected === 'fail') !== (fixture.expect === 'denied')) {
      problems.push(
        `${id}: fixture ${fixture.name} is ${fixture.expect} but the validator says ${result.status}`,
      );
      continue;
    }
    resources.push(object);
    const objectKind = String(object.kind);
    const key = `${objectKind}/${expected}`;
    const group = groups.get(key) ?? { kind: objectKind, result: expected, names: [] };
    group.names.push(name);
    groups.set(key, group);
  }
  const results = [...groups.values()]
    .sort((a, b) => (`${a.kind}/${a.result}` < `${b.kind}/${b.result}` ? -1 : 1))
    .map((g) => ({
      policy: id,
      ...(kind === 'ClusterPolicy' ? { rule: id } : { isValidatingPolicy: true }),
      kind: g.kind,
      resources: [...g.names].sort(),
      result: g.result,
    }));
  const files = new Map<string, string>();
  if (resources.length === 0) return { files, problems };
  files.set('resources.yaml', toYamlDocuments(resources));
  files.set(
    'kyverno-test.yaml',
    toYaml(
      kyvernoInert({
        apiVersion: 'cli.kyverno.io/v1alpha1',
        kind: 'Test',
        metadata: { name: id },
        policies: ['policy.yaml'],
        resources: ['resources.yaml'],
        ...(exceptions.files.length > 0 ? { exceptions: [...exceptions.files] } : {}),
        results,
      }),
    ),
  );
  return { files, problems };
}
