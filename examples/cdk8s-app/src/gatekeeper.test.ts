import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isExceptionDocument, policyConfigs } from '@palisade/cdk8s';
import { exceptionFromDocument } from '@palisade/core';
import { ENGINE_TEST_TIMEOUT_MS, enginePath } from '@palisade/engines';
import { buildGatekeeperOutput } from '@palisade/gatekeeper';
import { type Chart, Testing, Yaml } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { everyConstructWithDefaults } from './__fixtures__/every-construct.js';
import { REGISTRY } from './images.js';
import { ShopChart } from './shop.js';

interface GatorResult {
  msg: string;
  constraint: { kind: string };
  violatingObject: { kind?: string; metadata?: { name?: string } };
}

/**
 * Generates the Gatekeeper ConstraintTemplates and Constraints of the restricted profile and every hardening policy
 * (with the chart's exceptions), and runs the real gator on the chart's resources. Returns the violations and the
 * problems the generator reported.
 */
function gatekeeperVerdict(chart: Chart) {
  const docs = Testing.synth(chart) as Record<string, unknown>[];
  const exceptions = docs.filter(isExceptionDocument).map((d) => exceptionFromDocument(d));
  const output = buildGatekeeperOutput({
    policies: policyConfigs({ allowedRegistries: [REGISTRY], runtimeClasses: ['gvisor'] }),
    exceptions,
    fixtures: () => [],
  });
  const dir = mkdtempSync(join(tmpdir(), 'palisade-cdk8s-gk-'));
  for (const [path, text] of output.files) {
    if (!/\/(template|constraint)\.yaml$/.test(path)) continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  writeFileSync(join(dir, 'manifests.yaml'), Yaml.stringify(...docs.filter((d) => !isExceptionDocument(d))));
  let stdout: string;
  try {
    // stdin closed: gator reads objects from a piped stdin and would wait for it.
    stdout = execFileSync(enginePath('gator'), ['test', '-o', 'json', '-f', dir], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // gator exits non-zero when a constraint is violated; its JSON report is still on stdout.
    const e = error as { stdout?: string; stderr?: string; message: string };
    if (!e.stdout?.trim().startsWith('['))
      throw new Error(`gator test failed: ${e.stderr ?? ''}${e.message}`);
    stdout = e.stdout;
  }
  const results = (JSON.parse(stdout.trim() || 'null') ?? []) as GatorResult[];
  return {
    violations: results.map((r) => `${r.violatingObject.kind} ${r.violatingObject.metadata?.name}: ${r.msg}`),
    problems: output.problems,
  };
}

describe('construct output in the real Gatekeeper (gator) with the generated constraints', {
  timeout: ENGINE_TEST_TIMEOUT_MS,
}, () => {
  it('every construct with its defaults passes restricted + hardening', () => {
    const { violations } = gatekeeperVerdict(everyConstructWithDefaults());
    expect(violations).toEqual([]);
  });

  it('the shop app passes apart from its relaxed worker', () => {
    const { violations } = gatekeeperVerdict(new ShopChart(Testing.app(), 'shop'));
    expect(violations.filter((v) => !v.startsWith('Deployment worker:'))).toEqual([]);
  });

  it('the shop app passes with its relaxation honoured, as the validator says', () => {
    const { violations, problems } = gatekeeperVerdict(new ShopChart(Testing.app(), 'shop'));
    expect(problems.filter((p) => p.includes('worker-deployment-require-ro-rootfs'))).toEqual([]);
    expect(violations).toEqual([]);
  });
});
