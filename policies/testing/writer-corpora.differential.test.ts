import { describe, expect, it } from 'vitest';
// The reference reading is internal to the validator (not exported), as in the bench.
import { parseManifests, parseManifestsWithReference } from '../../packages/validator/src/parse-manifests.js';
import { everyPath } from '../../packages/validator/src/testing/every-path.js';
import { loadFast, splitYamlDocuments } from '../../packages/validator/src/yaml-fast.js';
import { WRITER_STYLES, type WriterStyle, writeCorpus, writerFormat } from './manifest-writers.js';

/**
 * The YAML fast path against the reference parser on each writer's corpus (manifest-writers.ts): the same
 * resources, and the same line for every path of every resource (each field a policy can report, and a missing
 * child of every mapping, as a violation of a required field names), which the fast path finds without the
 * reference (yaml-simple.ts's locating mode, the JSON scanner). It also checks that the fast tiers read each
 * writer's documents, not the reference: what makes `palisade validate` fast on them (docs/performance.md).
 */

function summary(loaded: ReturnType<typeof parseManifests>): unknown {
  return {
    resources: loaded.resources.map((r) => ({
      document: r.document,
      object: JSON.stringify(r.object),
      line: r.line,
      lines: everyPath(r.object).map((path) => `${path.join('.')}:${r.lineOf(path)}`),
    })),
    errors: loaded.errors,
  };
}

/** Which tier reads the documents of a YAML text. */
function tiers(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const chunk of splitYamlDocuments(text)) {
    const fast = loadFast(text, chunk);
    const tier = fast.ok ? fast.parser : 'reference';
    counts[tier] = (counts[tier] ?? 0) + 1;
  }
  return counts;
}

/** The tiers that must read every document of a style. */
const EXPECTED: Partial<Record<WriterStyle, string[]>> = {
  kubectl: ['simple', 'js-yaml'],
  helm: ['simple', 'js-yaml'],
  kustomize: ['simple'],
  pyyaml: ['simple', 'js-yaml'],
  flow: ['simple'],
};

describe('the YAML fast path on each writer corpus', () => {
  for (const style of WRITER_STYLES) {
    it(`agrees with the reference on ${style}, on the line of every path`, () => {
      const text = writeCorpus(style, 40, 11);
      const format = writerFormat(style);
      const fast = parseManifests(text, `c.${format}`, { format });
      expect(fast.resources.length).toBe(40);
      expect(summary(fast)).toEqual(summary(parseManifestsWithReference(text, `c.${format}`, { format })));
      const expected = EXPECTED[style];
      if (expected) expect(Object.keys(tiers(text)).filter((tier) => !expected.includes(tier))).toEqual([]);
    });
  }
});
