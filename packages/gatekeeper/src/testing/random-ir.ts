import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { effectivePolicy } from '@palisade/core';
import {
  type IrCase,
  irExceptions,
  irPolicyConfig,
  messageParts,
  referenceResults,
  sortKeys,
} from '@palisade/testing';
import { toManifestYaml as toYaml, toManifestYamlStream as toYamlStream } from '@palisade/yaml';
import { buildConstraint } from '../constraint.js';
import { celCode } from '../engines.js';
import { constraintExceptions } from '../exceptions.js';
import { buildTemplate } from '../template.js';
import { gatorTest, writeTree } from './gator.js';

/**
 * The random-IR differential through gator with CEL-only (K8sNativeValidation) templates: one template and
 * constraint per random rule, each constraint matching only its own resources by name (`match.name: r<i>-*`), so a
 * handful of gator invocations evaluate every rule on its resources. Verdicts and messages are compared with the
 * validator on every pair the reference does not exclude (see referenceResults); on every pair, compared or not,
 * the CEL must not fail at evaluation time (gator reports `... resulted in error` or falls back to
 * `failed expression` when a message expression fails).
 */

/** Parameters of the random rules are any JSON: the template's schema keeps whatever the constraint holds. */
const ANY_PARAMETERS = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

const NOW = new Date('2025-01-01T00:00:00Z');

export interface RandomIrReport {
  rules: number;
  /** (rule, resource) pairs gator evaluated. */
  evaluations: number;
  counts: Record<string, number>;
  denied: number;
  /** Pairs whose messages were not compared (CEL prints some values differently, see Walk). */
  messagesNotCompared: number;
  /** Verdict or message disagreements, and evaluation errors, smallest first. */
  failures: string[];
  gatorMs: number;
}

const isEvaluationError = (msg: string) =>
  / resulted in error: /.test(msg) || msg.startsWith('compilation error');

/**
 * Kubernetes replaces an empty message by the static one (Gatekeeper: `failed expression: ...`), as it does a
 * message expression that fails: so that message is accepted only where the rule can print an empty message.
 */
const isFallbackMessage = (msg: string) => msg.startsWith('failed expression');

/** gator repeats the whole expression in an error: the first lines say enough. */
const brief = (msg: string) => (msg.length > 600 ? `${msg.slice(0, 600)}…` : msg);

/** The objects of every case, named `r<i>-<j>` (and keys sorted), as both sides see them. */
export function namedCases(cases: readonly IrCase[]): IrCase[] {
  return cases.map((c, i) => ({
    ...c,
    objects: c.objects.map((o, j) =>
      sortKeys({ ...o, metadata: { name: `r${i}-${j}`, namespace: 'default' } }),
    ),
  }));
}

export async function runGatorRandomIr(input: readonly IrCase[], batches: number): Promise<RandomIrReport> {
  const cases = namedCases(input);
  // Each gator run gets a share of the rules and only their objects: gator compiles every template it loads.
  const batchOf = (i: number) => Math.floor((i * batches) / cases.length);
  const files = new Map<string, string>();
  for (const [i, c] of cases.entries()) {
    const id = `r${i}`;
    const config = effectivePolicy(irPolicyConfig(id, c.rule, c.params), {
      exceptions: irExceptions(id, c.exempt),
      now: NOW,
    });
    const template = buildTemplate({
      config,
      code: [celCode(config)],
      parameters: ANY_PARAMETERS,
      version: '1.0.0',
    });
    const problems: string[] = [];
    const constraint = buildConstraint({
      policyId: id,
      match: config.policy.match,
      enforcement: 'enforce',
      params: c.params,
      exceptions: constraintExceptions(config),
      problems,
    });
    if (problems.length > 0) throw new Error(`random rule ${id}: ${problems.join('; ')}`);
    (constraint.spec as { match: Record<string, unknown> }).match.name = `${id}-*`;
    files.set(`batch-${batchOf(i)}/policies/${id}/template.yaml`, toYaml(template));
    files.set(`batch-${batchOf(i)}/policies/${id}/constraint.yaml`, toYaml(constraint));
  }
  const objects = cases.flatMap((c) => c.objects);
  const used = [...new Set(cases.map((_, i) => batchOf(i)))];
  for (const b of used) {
    const mine = cases.flatMap((c, i) => (batchOf(i) === b ? c.objects : []));
    files.set(`batch-${b}/objects.yaml`, toYamlStream(mine));
  }
  const dir = writeTree(files, 'palisade-gk-random-ir-');
  const started = performance.now();
  let runs: Awaited<ReturnType<typeof gatorTest>>[];
  try {
    runs = await Promise.all(
      used.map((b) =>
        gatorTest([join(dir, `batch-${b}`, 'policies'), join(dir, `batch-${b}`, 'objects.yaml')]),
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const gatorMs = performance.now() - started;

  const messages = new Map<string, string[]>();
  for (const r of runs.flatMap((run) => run.results)) {
    const name = r.violatingObject.metadata?.name ?? '';
    if (r.constraint.metadata.name !== name.split('-')[0])
      throw new Error(`constraint ${r.constraint.metadata.name} matched ${name}`);
    messages.set(name, [...(messages.get(name) ?? []), r.msg]);
  }

  const reference = referenceResults(cases, 'r');
  const failures: { size: number; text: string }[] = [];
  let denied = 0;
  let messagesNotCompared = 0;
  for (const [i, c] of cases.entries()) {
    for (const [j, object] of c.objects.entries()) {
      const got = messages.get(`r${i}-${j}`) ?? [];
      const want = reference.expected[i]?.[j];
      const report = (why: string, expected: unknown) => {
        const text = JSON.stringify({ rule: c.rule, object, params: c.params, exempt: c.exempt });
        failures.push({
          size: text.length,
          text: `${why}: ${text}\n  validator ${JSON.stringify(expected)}\n  gator     ${JSON.stringify(got.map(brief))}`,
        });
      };
      const errors = got.filter(
        (m) => isEvaluationError(m) || (isFallbackMessage(m) && !want?.walk.emptyMessage),
      );
      if (errors.length > 0) {
        report('CEL evaluation error', want?.excluded ?? want?.result?.message);
        continue;
      }
      if (want === undefined || want.excluded !== undefined) continue;
      const status = want.result?.status;
      const expectedDenied = status === 'fail' || status === 'warn';
      if (expectedDenied) denied++;
      if (expectedDenied !== got.length > 0) {
        report('verdict', want.result?.message ?? 'no result');
        continue;
      }
      if (!expectedDenied) continue;
      if (want.walk.celMessageDiffers) {
        messagesNotCompared++;
        continue;
      }
      const expected = messageParts((want.result?.violations ?? []).map((v) => v.message));
      const actual = messageParts(got.map((m) => (isFallbackMessage(m) ? '' : m)));
      if (JSON.stringify(expected) !== JSON.stringify(actual)) report('message', expected);
    }
  }
  failures.sort((a, b) => a.size - b.size);
  return {
    rules: cases.length,
    evaluations: objects.length,
    counts: reference.counts,
    denied,
    messagesNotCompared,
    failures: failures.map((f) => f.text),
    gatorMs,
  };
}
