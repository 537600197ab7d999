import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyConfig, PolicyException } from '@palisade/core';
import { toManifestYamlStream as toYamlStream, Validator } from '@palisade/validator';
import { buildGatekeeperOutput } from '../build.js';
import type { CelCompiler, Engine } from '../engines.js';
import { gatorTest, writeTree } from './gator.js';

export interface CorpusEntry {
  id: string;
  object: Record<string, unknown>;
}

export interface DifferentialInput {
  configs: readonly PolicyConfig[];
  exceptions: readonly PolicyException[];
  corpus: readonly CorpusEntry[];
  engine: Engine;
  cel?: CelCompiler;
  now: Date;
  /** gator invocations run side by side (the machine has 2 cores). */
  batches: number;
  /**
   * How violation messages are compared: `exact` (Rego: one message per violation), `split` (CEL: one message per
   * check, its violations joined by "; ", so both sides go through `celParts`), or `none`.
   */
  messages: 'exact' | 'split' | 'none';
}

/**
 * A CEL message as comparable parts: the CEL compiler turns line breaks into spaces and Kubernetes trims the
 * result (a multi-line messageExpression result would be rejected), and one message joins a check's violations.
 */
const celParts = (message: string): string[] =>
  message
    .replaceAll('\n', ' ')
    .split('; ')
    .map((p) => p.trim());

export interface DifferentialResult {
  /** (object, policy) pairs compared. */
  pairs: number;
  denied: number;
  /** Different verdicts: the proof fails on any. */
  disagreements: string[];
  /** Same verdict, different messages. */
  messageDisagreements: string[];
  /** Wall-clock time of the gator invocations (they run concurrently). */
  gatorMs: number;
  batchMs: number[];
}

/**
 * Evaluates the corpus with gator (templates carrying one engine) and with the validator, and compares the verdict
 * of every policy on every object. Objects are renamed `o-<index>` so gator's results map back to them; no policy
 * reads `metadata.name`, and both sides see the renamed object.
 */
export async function runDifferential(input: DifferentialInput): Promise<DifferentialResult> {
  const objects = input.corpus.map((entry, i) => {
    const metadata = (entry.object.metadata ?? {}) as Record<string, unknown>;
    return {
      id: entry.id,
      name: `o-${i}`,
      object: { ...entry.object, metadata: { ...metadata, name: `o-${i}` } },
    };
  });
  const output = buildGatekeeperOutput({
    policies: input.configs,
    exceptions: input.exceptions,
    fixtures: () => [],
    engines: [input.engine],
    ...(input.cel ? { cel: input.cel } : {}),
    now: input.now,
  });
  const policyFiles = new Map(
    [...output.files].filter(
      ([path]) => path.endsWith('/template.yaml') || path.endsWith('/constraint.yaml'),
    ),
  );
  const dir = writeTree(policyFiles, `palisade-gk-diff-${input.engine}-`);
  const size = Math.ceil(objects.length / input.batches);
  const batchFiles: string[] = [];
  for (let b = 0; b * size < objects.length; b++) {
    const file = join(dir, `objects-${b}.yaml`);
    writeFileSync(file, toYamlStream(objects.slice(b * size, (b + 1) * size).map((o) => o.object)));
    batchFiles.push(file);
  }
  const policyDirs = [...new Set([...policyFiles.keys()].map((p) => join(dir, p.split('/')[0] as string)))];
  const start = performance.now();
  const runs = await Promise.all(batchFiles.map((file) => gatorTest([...policyDirs, file])));
  const gatorMs = performance.now() - start;

  const byObject = new Map<string, Map<string, string[]>>();
  for (const r of runs.flatMap((x) => x.results)) {
    const name = r.violatingObject.metadata?.name ?? '';
    const perPolicy = byObject.get(name) ?? new Map<string, string[]>();
    perPolicy.set(r.constraint.metadata.name, [...(perPolicy.get(r.constraint.metadata.name) ?? []), r.msg]);
    byObject.set(name, perPolicy);
  }

  const validator = new Validator({ policies: input.configs, exceptions: input.exceptions, now: input.now });
  const disagreements: string[] = [];
  const messageDisagreements: string[] = [];
  let pairs = 0;
  let denied = 0;
  for (const o of objects) {
    const results = new Map(validator.validate(o.object).map((r) => [r.policy.id, r]));
    const gator = byObject.get(o.name) ?? new Map<string, string[]>();
    for (const config of input.configs) {
      const id = config.policy.id;
      const result = results.get(id);
      const expected = result?.status === 'fail' || result?.status === 'warn';
      const messages = gator.get(id) ?? [];
      const actual = messages.length > 0;
      if (result) pairs++;
      if (expected) denied++;
      const normalize = (ms: readonly string[]) =>
        [...new Set(input.messages === 'split' ? ms.flatMap(celParts) : ms)].sort();
      const expectedMessages = normalize(result?.violations.map((v) => v.message) ?? []);
      const actualMessages = normalize(messages);
      const messagesDiffer =
        input.messages !== 'none' && JSON.stringify(expectedMessages) !== JSON.stringify(actualMessages);
      if (expected !== actual || messagesDiffer) {
        (expected !== actual ? disagreements : messageDisagreements).push(
          `policy ${id}, object ${o.id} (${input.engine}): validator ${result?.status ?? 'no result'} ${JSON.stringify(expectedMessages)}, gator ${JSON.stringify(actualMessages)}\n  object: ${JSON.stringify(o.object)}`,
        );
      }
    }
  }
  return { pairs, denied, disagreements, messageDisagreements, gatorMs, batchMs: runs.map((r) => r.ms) };
}
