import type { Oracle, TargetFixture, Verdict } from '@palisade/core';
import { asKyvernoCliLoads, renamed } from './cli-input.js';
import { kyvernoInert } from './inert.js';
import { toYaml, toYamlDocuments } from './yaml.js';

/** A fixture as the test folder reads it (its verdict is recomputed on the object as the CLI loads it). */
export type FixtureInput = Omit<TargetFixture, 'verdict'>;

export type PolicyKind = 'ClusterPolicy' | 'ValidatingPolicy';

const resultOf = (status: Verdict['status']): 'pass' | 'fail' | 'skip' =>
  status === 'fail' || status === 'warn' ? 'fail' : status === 'skip' ? 'skip' : 'pass';

/**
 * `kyverno-test.yaml` and `resources.yaml` for one policy folder (the policy is `policy.yaml` beside them;
 * `exceptions.files` are paths of the PolicyExceptions that cover it, relative to the folder). Expected results come
 * from the oracle (the validator, injected by the caller) on the object as the CLI loads it, and must agree with each fixture's allowed/denied label (a disagreement is a problem,
 * and that fixture is left out).
 */
export function testFolder(
  id: string,
  kind: PolicyKind,
  fixtures: readonly FixtureInput[],
  exceptions: { files: readonly string[] },
  oracle: Oracle,
): { files: Map<string, string>; problems: string[] } {
  const problems: string[] = [];
  const resources: Record<string, unknown>[] = [];
  const groups = new Map<string, { kind: string; result: string; names: string[] }>();
  for (const fixture of fixtures) {
    const name = fixture.name.replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
    const object = renamed(asKyvernoCliLoads(fixture.object), name);
    const result = oracle(id, object);
    if (result.status === 'unmatched') {
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
