import { deniesVerdict, type TargetFixture } from '@palisade/core';
import { SUITE_API_VERSION } from './names.js';

/** Go RE2 syntax for a literal string. */
export const regexLiteral = (s: string): string => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');

/**
 * A regex finding one expected message inside a reported one, whatever the engine: trimmed, since Kubernetes trims
 * a CEL messageExpression's result (where this message may come last), and any line break may read as a space.
 */
export const messagePattern = (message: string): string =>
  message.trim().split('\n').map(regexLiteral).join('[\\n ]');

const samplePath = (name: string): string => `samples/${name.replace(/[^A-Za-z0-9._/-]/g, '_')}.yaml`;

export interface SuiteOutput {
  suite: Record<string, unknown>;
  samples: Map<string, Record<string, unknown>>;
  problems: string[];
}

/**
 * A gator Suite of the policy's fixtures: allowed ones assert no violation; denied ones assert violations, one
 * assertion per expected message (a substring match, since an engine may report several findings in one message).
 * A fixture the configured policy does not judge as the fixture says (another PSS version, an exception) is left
 * out and reported.
 */
export function buildSuite(policyId: string, fixtures: readonly TargetFixture[]): SuiteOutput {
  const samples = new Map<string, Record<string, unknown>>();
  const problems: string[] = [];
  const cases: Record<string, unknown>[] = [];
  for (const fixture of fixtures) {
    const path = samplePath(fixture.name);
    if (samples.has(path)) throw new Error(`policy ${policyId}: two fixtures map to ${path}`);
    const denied = deniesVerdict(fixture.verdict);
    if (denied !== (fixture.expect === 'denied')) {
      problems.push(
        `policy ${policyId}: fixture ${fixture.name} expects ${fixture.expect} but the policy as configured ${denied ? 'denies' : 'allows'} it; left out of the suite`,
      );
      continue;
    }
    samples.set(path, fixture.object);
    const assertions = denied
      ? [
          { violations: 'yes' },
          ...fixture.verdict.messages.map((m) => ({ violations: 'yes', message: messagePattern(m) })),
        ]
      : [{ violations: 'no' }];
    cases.push({ name: fixture.name, object: path, assertions });
  }
  const suite = {
    kind: 'Suite',
    apiVersion: SUITE_API_VERSION,
    metadata: { name: policyId },
    tests: [{ name: policyId, template: 'template.yaml', constraint: 'constraint.yaml', cases }],
  };
  return { suite, samples, problems };
}
