import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LoadedManifests } from './manifest-resources.js';
import { parseManifests, parseManifestsWithReference } from './parse-manifests.js';

/**
 * Syntax errors are reported at the line of the error itself, in the document that has it, and never cost another
 * document its result: valid multi-document YAML gets one error injected at a random line, and both parser tiers
 * (the fast path and the reference parser alone) must report exactly that line, and the other documents as if
 * nothing were wrong.
 */

const SEED = Number(process.env.PALISADE_YAML_FUZZ_SEED ?? 20251209);
const RUNS = Number(process.env.PALISADE_YAML_FUZZ_RUNS ?? 1500);

/** A block mapping entry: `key: value`, or `key:` with nested entries. */
interface Entry {
  key: string;
  value: string | Entry[];
}

/** One line of a rendered document, and what an injection may do there. */
interface Line {
  text: string;
  indent: string;
  /** The key of a `key: value` line (a scalar value), where a value can be broken. */
  scalarKey?: string;
}

const word = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
/** Keys are plain strings for every reader (`e0` alone is a float, NaN, for the reference: never a duplicate). */
const key = word.map((w) => `k${w}`);

const entries: fc.Arbitrary<Entry[]> = fc.letrec<{ entries: Entry[] }>((tie) => ({
  entries: fc.uniqueArray(
    fc.record({
      key,
      value: fc.oneof({ weight: 3, arbitrary: word }, { weight: 1, arbitrary: tie('entries') }),
    }),
    { minLength: 1, maxLength: 4, selector: (e) => e.key, depthIdentifier: 'entries' },
  ),
})).entries;

function render(items: readonly Entry[], indent: string, out: Line[]): void {
  for (const { key, value } of items) {
    if (typeof value === 'string') out.push({ text: `${indent}${key}: ${value}`, indent, scalarKey: key });
    else {
      out.push({ text: `${indent}${key}:`, indent });
      render(value, `${indent}  `, out);
    }
  }
}

function documentLines(name: string, body: readonly Entry[]): Line[] {
  const lines: Line[] = [
    { text: 'apiVersion: v1', indent: '', scalarKey: 'apiVersion' },
    { text: 'kind: ConfigMap', indent: '', scalarKey: 'kind' },
    { text: 'metadata:', indent: '' },
    { text: `  name: ${name}`, indent: '  ', scalarKey: 'name' },
    { text: 'data:', indent: '' },
  ];
  render(body, '  ', lines);
  return lines;
}

/**
 * Breaks the scalar line `line` of a document: `replace` rewrites it, `insert` adds the broken line after it. Each
 * is an error on the broken line, whatever surrounds it.
 */
const INJECTIONS: { name: string; replace?: (l: Line) => string; insert?: (l: Line) => string }[] = [
  { name: 'a reserved indicator', replace: (l) => `${l.indent}${l.scalarKey}: @x` },
  { name: 'a backquote', replace: (l) => `${l.indent}${l.scalarKey}: \`x` },
  { name: 'a mapping in a compact value', replace: (l) => `${l.indent}${l.scalarKey}: a: b` },
  { name: 'an unclosed double quote', replace: (l) => `${l.indent}${l.scalarKey}: "open` },
  { name: 'an unclosed single quote', replace: (l) => `${l.indent}${l.scalarKey}: 'open` },
  { name: 'an unclosed flow sequence', replace: (l) => `${l.indent}${l.scalarKey}: [open` },
  { name: 'an unclosed flow mapping', replace: (l) => `${l.indent}${l.scalarKey}: {open: 1` },
  { name: 'a stray ]', replace: (l) => `${l.indent}${l.scalarKey}: ]` },
  { name: 'a tab in the indentation', replace: (l) => `${l.indent}\t${l.scalarKey}: x` },
  { name: 'an alias to no anchor', replace: (l) => `${l.indent}${l.scalarKey}: *missing` },
  { name: 'a duplicate key', insert: (l) => `${l.indent}${l.scalarKey}: again` },
  { name: 'an over-indented key', insert: (l) => `${l.indent} extra: 1` },
];

interface Case {
  text: string;
  /** 1-based document and line of the injected error. */
  document: number;
  line: number;
  /** Lines the injection added (later documents move down by as many). */
  added: number;
  injection: string;
}

const cases: fc.Arbitrary<{ clean: string; broken: Case }> = fc
  .record({
    bodies: fc.array(entries, { minLength: 1, maxLength: 4 }),
    target: fc.nat(),
    line: fc.nat(),
    injection: fc.nat({ max: INJECTIONS.length - 1 }),
    start: fc.constantFrom('', '---\n', '# header\n---\n'),
    separator: fc.constantFrom('---\n', '--- # next\n', '...\n---\n', '\n---\n'),
    crlf: fc.boolean(),
  })
  .map(({ bodies, target, line, injection, start, separator, crlf }) => {
    const docs = bodies.map((body, i) => documentLines(`c${i}`, body));
    const document = target % docs.length;
    const doc = docs[document] as Line[];
    const scalars = doc.flatMap((l, i) => (l.scalarKey === undefined ? [] : [i]));
    const at = scalars[line % scalars.length] as number;
    const { name, replace, insert } = INJECTIONS[injection] as (typeof INJECTIONS)[number];
    const target_ = doc[at] as Line;
    const brokenDoc = doc.map((l) => l.text);
    if (replace) brokenDoc[at] = replace(target_);
    else if (insert) brokenDoc.splice(at + 1, 0, insert(target_));
    const join = (texts: string[][]) => {
      const text = start + texts.map((lines) => `${lines.join('\n')}\n`).join(separator);
      return crlf ? text.replace(/\n/g, '\r\n') : text;
    };
    const clean = join(docs.map((d) => d.map((l) => l.text)));
    const texts = docs.map((d, i) => (i === document ? brokenDoc : d.map((l) => l.text)));
    // Lines before the broken document: the start, each earlier document and its separator.
    const before =
      start.split('\n').length -
      1 +
      docs.slice(0, document).reduce((n, d) => n + d.length + separator.split('\n').length - 1, 0);
    const injectedLine = before + at + 1 + (insert ? 1 : 0);
    const broken = { text: join(texts), document: document + 1, line: injectedLine, added: insert ? 1 : 0 };
    return { clean, broken: { ...broken, injection: name } };
  });

/** The resources of the documents other than `document`, with their lines (those after it moved by `added`). */
function resourcesOutside(loaded: LoadedManifests, document: number, added = 0): unknown[] {
  return loaded.resources
    .filter((r) => r.document !== document)
    .map((r) => {
      const shift = r.document > document ? added : 0;
      const nameLine = r.lineOf(['metadata', 'name']) + shift;
      return { document: r.document, line: r.line + shift, object: r.object, nameLine };
    });
}

describe('YAML syntax errors', () => {
  it('are reported at the injected line, in its document, by both tiers, and other documents keep their results', () => {
    fc.assert(
      fc.property(cases, ({ clean, broken }) => {
        for (const parse of [parseManifests, parseManifestsWithReference]) {
          const expected = parse(clean, 'f.yaml');
          expect(expected.errors).toEqual([]);
          const loaded = parse(broken.text, 'f.yaml');
          expect(loaded.errors, `${broken.injection} (${parse.name})`).toEqual([
            {
              file: 'f.yaml',
              document: broken.document,
              line: broken.line,
              column: expect.any(Number),
              message: expect.stringMatching(/^invalid YAML: /),
            },
          ]);
          expect(loaded.resources.filter((r) => r.document === broken.document)).toEqual([]);
          expect(resourcesOutside(loaded, broken.document)).toEqual(
            resourcesOutside(expected, broken.document, broken.added),
          );
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
