import type { PolicyConfig, PolicyException } from '@palisade/core';
import { Validator } from '@palisade/validator';
import { SUITE_API_VERSION } from './names.js';

/** A fixture as the catalogue's `loadFixtures` gives it (only the fields the suite needs). */
export interface SampleFixture {
  /** e.g. `denied/pod-privileged`. */
  name: string;
  expect: 'allowed' | 'denied';
  object: Record<string, unknown>;
}

export interface Verdict {
  denied: boolean;
  /** The distinct violation messages. */
  messages: string[];
}

/**
 * The reference verdict of the generated constraint on an object: the validator with the policy as configured and
 * only the exceptions the constraint expresses, so samples assert what Gatekeeper must do.
 */
export function referenceVerdict(
  config: PolicyConfig,
  applied: readonly PolicyException[],
  now: Date,
): (object: Record<string, unknown>) => Verdict {
  const validator = new Validator({ policies: [config], exceptions: applied, now });
  return (object) => {
    const result = validator.validate(object).find((r) => r.policy.id === config.policy.id);
    const denied = result?.status === 'fail' || result?.status === 'warn';
    return { denied, messages: denied ? [...new Set(result.violations.map((v) => v.message))] : [] };
  };
}

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
export function buildSuite(
  policyId: string,
  fixtures: readonly SampleFixture[],
  verdict: (object: Record<string, unknown>) => Verdict,
): SuiteOutput {
  const samples = new Map<string, Record<string, unknown>>();
  const problems: string[] = [];
  const cases: Record<string, unknown>[] = [];
  for (const fixture of fixtures) {
    const path = samplePath(fixture.name);
    if (samples.has(path)) throw new Error(`policy ${policyId}: two fixtures map to ${path}`);
    const expected = verdict(fixture.object);
    if (expected.denied !== (fixture.expect === 'denied')) {
      problems.push(
        `policy ${policyId}: fixture ${fixture.name} expects ${fixture.expect} but the policy as configured ${expected.denied ? 'denies' : 'allows'} it; left out of the suite`,
      );
      continue;
    }
    samples.set(path, fixture.object);
    const assertions = expected.denied
      ? [
          { violations: 'yes' },
          ...expected.messages.map((m) => ({ violations: 'yes', message: messagePattern(m) })),
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
