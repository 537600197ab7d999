import { describe, expect, it } from 'vitest';
import { parseManifests, parseManifestsWithReference } from './parse-manifests.js';
import { loadFast, splitYamlDocuments, textIneligibility } from './yaml-fast.js';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: nginx:1.27
`;

/** What the fast path does with a one-document text: the parser that took it, or the reason it refused. */
function fastPath(text: string): string {
  if (textIneligibility(text) !== undefined) return `text: ${textIneligibility(text)}`;
  const [chunk] = splitYamlDocuments(text);
  if (!chunk) return 'no document';
  const fast = loadFast(text, chunk);
  return fast.ok ? fast.parser : `refused: ${fast.reason}`;
}

/** Parses with and without the fast path; they must agree (the differential test does this at scale). */
function bothWays(text: string) {
  const fast = parseManifests(text, 'f.yaml');
  const reference = parseManifestsWithReference(text, 'f.yaml');
  expect(fast).toEqual(reference);
  expect(fast.resources.map((r) => r.line)).toEqual(reference.resources.map((r) => r.line));
  return fast;
}

describe('splitting documents', () => {
  it('splits at --- and ... lines and counts documents as the reference does', () => {
    const text = '# header\n---\na: 1\n--- # two\nb: 2\n...\n# between\n---\n---\nc: 3\n...\n...\nd: 4\n';
    const chunks = splitYamlDocuments(text).map((c) => [text.slice(c.start, c.end), c.line, c.contentLine]);
    expect(chunks).toEqual([
      ['---\na: 1\n', 2, 3],
      ['--- # two\nb: 2\n...\n', 4, 5],
      ['---\n', 8, 0],
      ['---\nc: 3\n...\n', 9, 10],
      ['...\n', 12, 0],
      ['d: 4\n', 13, 13],
    ]);
    expect(bothWays(text).errors.map((e) => e.document)).toEqual([1, 2, 4, 6]);
  });

  it('splits \\r\\n texts too, leaving other line breaks to the reference', () => {
    const text = 'a: 1\r\n--- # two\r\nb: 2\r\n...\r\n---\r\nc: 3\r\n';
    expect(textIneligibility(text)).toBeUndefined();
    const chunks = splitYamlDocuments(text).map((c) => [text.slice(c.start, c.end), c.line, c.contentLine]);
    expect(chunks).toEqual([
      ['a: 1\r\n', 1, 1],
      ['--- # two\r\nb: 2\r\n...\r\n', 2, 3],
      ['---\r\nc: 3\r\n', 5, 6],
    ]);
    expect(textIneligibility('a: 1\r---\rb: 2\r')).toMatch(/line break/);
  });

  it('does not take --- or ... followed by other text as a marker', () => {
    expect(splitYamlDocuments('a: ---x\n---x: 1\n').length).toBe(1);
    expect(fastPath('---x: 1\n')).toMatch(/^refused: it contains "---x"/);
    bothWays('---{}\n---\n...#\n');
  });
});

describe('fast path', () => {
  it('reads plain manifests with the block-structure parser', () => {
    expect(fastPath(POD)).toBe('simple');
    expect(fastPath('a: [1, "two", {three: 3}]\nb:\n- x\n- y: z\n  w: v\n')).toBe('simple');
  });

  it('reads literal block scalars and double-quoted escapes with the block-structure parser', () => {
    expect(fastPath(`${POD}data:\n  script: |\n    echo "hi" # not a comment\n`)).toBe('simple');
    expect(fastPath(`${POD}data:\n  script: |-\n\n    a\n\n      b\n\n  c: 1\n`)).toBe('simple');
    expect(fastPath(`${POD}  note: "tab\\there \\u00e9 \\x41 \\" \\\\ \\/ \\N \\_ \\e \\0"\n`)).toBe(
      'simple',
    );
    bothWays(
      `${POD}data:\n  script: |\n    echo "hi" # not a comment\n\n  # not content\n  b: |-\n     x\n    y\n`,
    );
    bothWays(`${POD}data:\n  script: |-\n\n    a\n\n      b\n\n  c: 1\n  d: |\n    last`);
    bothWays(`${POD}  note: "tab\\there \\u00e9 \\x41 \\" \\\\ \\/ \\N \\_ \\e \\0"\n`);
    expect(fastPath(`${POD}  note: "\\ud800"\n`)).toMatch(/^refused: a surrogate escape/);
    expect(fastPath(`${POD}  note: "\\q"\n`)).toMatch(/^refused: an escape/);
    bothWays(`${POD}  note: "\\q"\n`);
  });

  it('reads &, * and ! as text where they cannot start a node (node properties are refused by position)', () => {
    expect(fastPath(`${POD}  x: "a & b"\n  y: '*'\n  z: a*b&c!\n`)).toBe('simple');
    bothWays(`${POD}  x: "a & b"\n  y: '*'\n  z: a*b&c!\n  w: |\n    *a &b !c\n`);
  });

  it('reads quoted scalars folded onto several lines, leaving empty lines and escaped breaks to js-yaml', () => {
    expect(fastPath(`${POD}  x: "a  \n    b \\u00e9\n   c"\n  y: 'it''s  \n     folded '\n`)).toBe('simple');
    bothWays(`${POD}  x: "a  \n    b \\u00e9\n   c"\n  y: 'it''s  \n     folded '\n  z: " a\n   #b:"\n`);
    expect(fastPath(`${POD}  x: "a\n\n    b"\n`)).toBe('js-yaml');
    expect(fastPath(`${POD}  x: "a \\\n    b"\n`)).toBe('js-yaml');
    expect(fastPath(`${POD}  x: "a \\ \n    b"\n`)).toBe('js-yaml');
    expect(fastPath(`${POD}  x: "a\n    "\n`)).toBe('js-yaml');
    bothWays(`${POD}  x: "a\n\n    b"\n  y: "a \\ \n    b"\n  z: "a\n    "\n  w: "\n   a"\n`);
    bothWays(`${POD}  x: "a \\\n    b\n\n    c"\n  y: 'it''s\n   folded' # c\n`);
  });

  it('reads a JSON object per document with JSON.parse, leaving what YAML reads otherwise', () => {
    expect(fastPath('{"apiVersion": "v1", "kind": "Pod",\n  "metadata": {"name": "web"}}\n')).toBe('json');
    bothWays(
      '{"apiVersion": "v1", "kind": "Pod",\n  "metadata": {"name": "web", "n": [1, 2.5, 1e3, null]}}\n',
    );
    expect(fastPath('{"kind": "Pod", "kind": "Pod"}\n')).not.toBe('json');
    bothWays('{"apiVersion": "v1", "kind": "Pod", "kind": "Pod"}\n');
    expect(fastPath('{"a": -0}\n')).not.toBe('json');
    expect(fastPath('{"a": 1e400}\n')).not.toBe('json');
    expect(fastPath('{"a": 1} # c\n')).not.toBe('json');
    bothWays('{"apiVersion": "v1", "kind": "Pod", "a": -0, "b": 1e400}\n');
  });

  it('reads plain scalars continued on other lines, leaving empty lines and indicators in them to js-yaml', () => {
    expect(fastPath(`${POD}  note: a long  \n    folded value\n     1  \n`)).toBe('simple');
    bothWays(`${POD}  note: a long  \n    folded value\n     1  \n  n: 1\n   2\n  m:\n  - a\n    b\n`);
    expect(fastPath(`${POD}  note: a\n\n    b\n`)).toBe('js-yaml');
    expect(fastPath(`${POD}  note: a\n    - b\n`)).toBe('js-yaml');
    bothWays(`${POD}  note: a\n\n    b\n  n: a\n    - b\n`);
  });

  it('leaves folded and keep-chomped block scalars to js-yaml', () => {
    expect(fastPath(`${POD}data:\n  script: >\n    echo "hi" # not a comment\n`)).toBe('js-yaml');
    expect(fastPath(`${POD}data:\n  script: |+\n    x\n\n`)).toBe('js-yaml');
    bothWays(`${POD}data:\n  script: |\n    echo "hi" # not a comment\n  folded: >-\n    a\n\n    b\n`);
    bothWays(`${POD}  note: a long\n    folded value\n  escaped: "tab\\there \\u00e9"\n`);
  });

  it('reads scalars as the reference: YAML 1.1 booleans and octals, no timestamps or sexagesimals', () => {
    const text = `${POD}  a: yes\n  b: On\n  c: 0644\n  d: 2024-01-02\n  e: 1:20\n  f: "yes"\n  g: -0.0\n  h: 0o17\n  i: ~\n  j:\n`;
    expect(fastPath(text)).toBe('simple');
    const [pod] = bothWays(text).resources;
    expect(pod?.object.spec).toMatchObject({
      a: true,
      b: true,
      c: 420,
      d: '2024-01-02',
      e: '1:20',
      f: 'yes',
      h: 15,
    });
    expect(Object.is((pod?.object.spec as { g?: number } | undefined)?.g, -0)).toBe(true);
  });

  it('names null and other non-string keys as the reference does', () => {
    const [pod] = bothWays(`${POD}  ~: a\n  1e3: b\n  yes: c\n  0x1F: d\n`).resources;
    expect(pod?.object.spec).toMatchObject({ '': 'a', '1000': 'b', true: 'c', '31': 'd' });
  });
});

describe('fallbacks to the reference parser', () => {
  const refusals: [string, string, RegExp][] = [
    [
      'an anchor and an alias',
      `${POD}  x: &a 1\n  y: *a\n`,
      /^refused: a plain scalar starting with an indicator/,
    ],
    [
      'an anchor on a collection',
      `${POD}  x: &a\n    b: 1\n`,
      /^refused: a plain scalar starting with an indicator/,
    ],
    ['an alias as a key', `${POD}  *a : 1\n`, /^refused: a mapping entry that is not/],
    ['an alias in a flow collection', `${POD}  x: [*a]\n`, /^refused: an empty entry or an indicator/],
    ['a tag', `${POD}  x: !!str 1\n`, /^refused: a plain scalar starting with an indicator/],
    ['a tag on an entry', `${POD}  x:\n  - !t 1\n`, /^refused: a plain scalar starting with an indicator/],
    ['a merge key', `${POD}  <<: {a: 1}\n`, /^refused: it contains "<<"/],
    ['a complex key', `${POD}  ? a\n  : b\n`, /^refused: it contains "\?"/],
    ['a tab', `${POD}  x:\t1\n`, /^refused: it contains "\\t"/],
    ['a control character', `${POD}  x: "\u0007"\n`, /^refused: it contains "\\u0007"/],
    ['a lone surrogate', `${POD}  x: "\ud800"\n`, /^refused: it contains/],
    ['a flow collection as a key', `${POD}  [a]: 1\n`, /^refused: it contains "]:"/],
    ['content after ---', `--- ${POD}`, /^refused: it contains "--- a"/],
    ['a directive', `%YAML 1.1\n---\n${POD}`, /^text: a directive/],
    ['a carriage return', POD.replace(/\n/g, '\r\n'), /^refused: it contains "\\r"/],
    ['a lone carriage return', `${POD}  x: a\rb\n`, /^text: a line break other than/],
    ['a byte order mark inside', `${POD}---\n\ufeff${POD}`, /^text: /],
    ['a NEL line break', `${POD}  x: a\u0085b\n`, /^text: /],
    [
      "a quoted scalar continued at its key's indentation",
      `${POD}  x: "a\n  b"\n`,
      /^refused: a quoted scalar continued without/,
    ],
    // Flow collections over several lines: what YAML's flow context reads subtly stays with the reference.
    [
      'a plain scalar folded over an empty line in a flow collection',
      `${POD}  x: [a\n\n    b]\n`,
      /^refused: a plain scalar folded over an empty line/,
    ],
    [
      'a plain scalar continued with an indicator in a flow collection',
      `${POD}  x: [a\n    @b]\n`,
      /^refused: a plain scalar continued with an indicator/,
    ],
    [
      'a comment after a folded plain scalar in a flow collection',
      `${POD}  x: [a\n    b # c\n    ]\n`,
      /^refused: a comment after a folded plain scalar/,
    ],
    [
      'a comment line inside a folded plain scalar in a flow collection',
      `${POD}  x: [a\n    # c\n    b]\n`,
      /^refused: a plain scalar continued with an indicator/,
    ],
    [
      'a plain value that runs into a key on the next line',
      `${POD}  x: {a: b\n    c: d}\n`,
      /^refused: a flow collection entry followed by something else/,
    ],
    [
      'a quoted scalar folded over an empty line in a flow collection',
      `${POD}  x: ["a\n\n    b"]\n`,
      /^refused: a quoted scalar in a flow collection folded subtly/,
    ],
    [
      "a quoted scalar continued at its key's indentation in a flow collection",
      `${POD}  x: ["a\n  b"]\n`,
      /^refused: a quoted scalar continued without/,
    ],
    [
      'an implicit key spanning lines in a flow mapping',
      `${POD}  x: {a\n    : 1}\n`,
      /^refused: a flow mapping entry that is not/,
    ],
    [
      'a quoted implicit key spanning lines in a flow mapping',
      `${POD}  x: {"a"\n    : 1}\n`,
      /^refused: a flow mapping entry that is not/,
    ],
    ['an explicit key in a flow mapping', `${POD}  x: {? a : 1}\n`, /^refused: it contains "\?"/],
    ['a pair in a flow sequence', `${POD}  x: [a: 1]\n`, /^refused: a flow collection entry followed/],
    [
      '`:` right after a plain key in a flow mapping',
      `${POD}  x: {a:1}\n`,
      /^refused: a flow mapping entry that is not/,
    ],
    [
      '`:` right after a quoted key in a flow mapping',
      `${POD}  x: {"a":1}\n`,
      /^refused: a flow mapping entry that is not/,
    ],
    [
      'an empty entry in a flow sequence',
      `${POD}  x: [a, , b]\n`,
      /^refused: an empty entry or an indicator/,
    ],
    [
      'an empty value in a flow mapping',
      `${POD}  x: {a: , b: 1}\n`,
      /^refused: an empty entry or an indicator/,
    ],
    [
      'a key without a value in a flow mapping',
      `${POD}  x: {a, b: 1}\n`,
      /^refused: a flow mapping entry that is not/,
    ],
    [
      'a trailing comma in a flow sequence',
      `${POD}  x: [\n    a,\n    ]\n`,
      /^refused: an empty entry or an indicator/,
    ],
    [
      'a trailing comma in a flow mapping',
      `${POD}  x: {a: 1, }\n`,
      /^refused: an empty entry or an indicator/,
    ],
    [
      "a flow line at its key's indentation (an error for the reference)",
      `${POD}  x: [a,\n  b]\n`,
      /^refused: a flow collection line not indented enough/,
    ],
    [
      "a closing bracket at its key's indentation (the reference reads it)",
      `${POD}  x: [\n    a\n  ]\n`,
      /^refused: a flow collection line not indented enough/,
    ],
    [
      'a comment glued to a comma in a flow collection',
      `${POD}  x: [a,#c\n    b]\n`,
      /^refused: an empty entry or an indicator/,
    ],
    ['an unclosed flow collection', `${POD}  x: [a,\n    b\n`, /^refused: an unclosed flow collection/],
    ['a tab in a flow collection', `${POD}  x: [a,\n\t b]\n`, /^refused: it contains "\\t"/],
    ['text after a flow collection', `${POD}  x: [a,\n    b] c\n`, /^refused: text after a value/],
    ['a flow collection as a key over lines', `[a,\n b]: 1\n`, /^refused: it contains "]:"/],
    ['a block scalar indentation indicator', `${POD}  x: |2\n     a\n`, /^refused: a block scalar header/],
    ['a duplicate key', `${POD}  x: 1\n  x: 2\n`, /^refused: a duplicate or special key/],
    ['a __proto__ key', `${POD}  __proto__: 1\n`, /^refused: a duplicate or special key/],
    ['a key over 1000 characters', `${POD}  ${'k'.repeat(1001)}: 1\n`, /^refused: an implicit key longer/],
    [
      'a scalar on its own line',
      `${POD}  x:\n    value\n`,
      /^refused: a scalar or flow collection on its own/,
    ],
    [
      'a comment inside a plain scalar',
      `${POD}  x: a\n    # c\n    b\n`,
      /^refused: a comment within a plain/,
    ],
    ['two keys on a line', `${POD}  x: a: b\n`, /^refused: a key where a value is expected/],
    ['inconsistent indentation', `${POD}   x: 1\n`, /^refused: a line indented more than/],
    ['a null key js-yaml would name "null"', `${POD}  ~: 1\n  s: >\n    x\n`, /^refused: a null key/],
    ['a js-yaml error', `${POD}  s: |\n    x\n  s: 2\n`, /^refused: .*duplicate/],
    [
      'a block scalar with a long blank line',
      `${POD}  s: |\n       \n    x\n`,
      /^refused: a block scalar with a blank/,
    ],
  ];

  for (const [name, text, reason] of refusals) {
    it(`is taken for ${name}, with the reference's result`, () => {
      expect(fastPath(text)).toMatch(reason);
      bothWays(text);
    });
  }

  it('reads flow collections wrapped over several lines as the `yaml` package prints them, with their lines', () => {
    const text = [
      '{',
      '  apiVersion: v1,',
      '  kind: Pod,',
      '  metadata:',
      '    { name: web, labels: { app: "a: b, c" } },',
      '  spec:',
      '    {',
      '      containers:',
      '        [',
      '          {',
      '            name: app, # the main one',
      "            image: 'nginx:1.27',",
      '            args:',
      '              [',
      '                --port=80,',
      '                http://x.y/z#q,',
      '                a plain scalar',
      '                  folded, "a quoted',
      '                  one  "',
      '              ],',
      '',
      '            ports: [ { containerPort: 80 } ]',
      '          }',
      '        ]',
      '    }',
      '}',
      '---',
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {',
      '  name: x, labels: {',
      '    a: "1"}}',
      '',
    ].join('\n');
    expect(fastPath(text)).toBe('simple');
    const [first, second] = bothWays(text).resources;
    expect(first?.object).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', labels: { app: 'a: b, c' } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'nginx:1.27',
            args: ['--port=80', 'http://x.y/z#q', 'a plain scalar folded', 'a quoted one  '],
            ports: [{ containerPort: 80 }],
          },
        ],
      },
    });
    const reference = parseManifestsWithReference(text, 'f.yaml').resources;
    const paths = [
      ['metadata', 'labels', 'app'],
      ['spec', 'containers', 0, 'image'],
      ['spec', 'containers', 0, 'args'],
      ['spec', 'containers', 0, 'args', 3],
      ['spec', 'containers', 0, 'ports', 0],
      ['spec', 'missing', 0],
    ];
    for (const path of paths) expect(first?.lineOf(path), path.join('.')).toBe(reference[0]?.lineOf(path));
    expect(first?.lineOf(['spec', 'containers', 0, 'args', 1])).toBe(16);
    expect(first?.lineOf(['spec', 'containers', 0, 'ports', 0, 'containerPort'])).toBe(22);
    expect(first?.lineOf(['spec', 'containers', 0])).toBe(10);
    expect(second?.lineOf(['metadata', 'labels', 'a'])).toBe(32);
  });

  it('reports the reference error and line for a document the fast path refuses', () => {
    const loaded = bothWays(`${POD}---\n${POD}  hostPID: true\n  hostPID: false\n---\n${POD}`);
    expect(loaded.resources.map((r) => r.document)).toEqual([1, 3]);
    expect(loaded.errors).toEqual([
      { file: 'f.yaml', document: 2, line: 19, column: 3, message: 'invalid YAML: Map keys must be unique' },
    ]);
  });

  it('keeps an error in its document: an unclosed quote or flow collection never runs past a document marker', () => {
    for (const broken of ['kind: "Pod', "kind: 'Pod", 'kind: [Pod', 'kind: {a: Pod', ']']) {
      for (const newline of ['\n', '\r\n']) {
        const text = `${POD}---\n${broken}\n---\n${POD}`.replace(/\n/g, newline);
        const loaded = bothWays(text);
        expect(
          loaded.resources.map((r) => [r.document, r.line]),
          broken,
        ).toEqual([
          [1, 1],
          [3, 12],
        ]);
        expect(loaded.errors, broken).toEqual([
          { file: 'f.yaml', document: 2, line: 10, column: expect.any(Number), message: expect.any(String) },
        ]);
      }
    }
  });

  /** Hand-picked corners of the block-structure parser and of the hand-over to js-yaml. */
  const corners = [
    "a : 1\n\"b\" : 2\n'c''d': 'e''f'\n",
    'a: b # c\n# d\ne: f\n',
    'a:\n- 1\n- 2\nb: 3\n',
    'a:\n  - 1\n  -\n  - - x\n    - y\n',
    '- a: 1\n  b: 2\n- c\n',
    '-   a: 1\n    b: 2\n',
    '- key:\n  - a\n- key:\n- b\n',
    'a: [1, [2, {b: c}], {}, []]\nd: {e: [f, g], h: "i"}\n',
    'a: -1\nb: --flag\nc: -\n',
    'a: b:c\nd: http://x:80/y\ne: x#y\nf: [x#y]\ng: [x, y] #c\nh: [a:b]\ni: {a:b}\n',
    ' a: 1\n b: 2\n',
    'a:\n    b: 1\n    c: 2\n',
    'a: 1\n\n\n# c\n\nb: 2\n',
    'a: |\n  x\n\n  y\nb: >-\n  p\n  q\nc: |+\n  x\n\nd: >\n\n  x\n',
    'a: "\\u00e9\\n\\t\\x41"\n',
    'a: plain\n  continued\n  more\nb: 1\n- c\n',
    '- plain\n  continued\n',
    'a: b\n  # comment indented more\nc: d\n',
    'a: 0o14\nb: 0x_1\nc: 1__0\nd: .5\ne: 5.\nf: 1e\ng: 0b2\nh: 08\n',
    'é: ü\n"日本": 語\na: 😀\n',
    '--- # c\nk: v\n...\n',
  ];
  it.each(corners)('agrees on %j', (text) => {
    bothWays(`apiVersion: v1\nkind: Pod\n---\n${text}`);
    bothWays(`apiVersion: v1\nkind: Pod\nspec:\n${text.replace(/^(?=.)/gm, '  ')}`);
  });

  /** Texts on which the differential test once found the paths disagreeing. */
  const regressions = [
    'yes\n---\n]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n name: yes\n',
    '\n  - "\n-\n  - "\n---\na\n',
    '|1\n|1\n yes\n---\napiVersion: v1\nkind: Pod\nmetadata:\n name: a\n',
    '---# comment\n---\napiVersion: v1\nkind: Pod\nmetadata:\n name: a\n',
    '---{}\n',
    'apiVersion: v1\nkind: Pod\nmetadata:\n name: 0\ny:\n a: >1\n   \n',
    ' -\n- []\n---\napiVersion: v1\nkind: Pod\nmetadata:\n name: 0\n',
    'apiVersion: v1\nkind: Pod\nx:\n  a: |\n     \n    # own line\n  s: a\n',
    '? --- # first\n- {a: {a: {a: }}},\n    apiVersion: a}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n name: \n',
  ];
  it.each(regressions)('agrees on %j, found by the differential test', (text) => {
    bothWays(text);
  });

  it('leaves deep nesting to the reference', () => {
    const deep = `spec: ${'['.repeat(1000)}${']'.repeat(1000)}\n`;
    expect(fastPath(deep)).toBe('refused: deep nesting');
    bothWays(`${POD}---\n${deep}---\n${POD}`);
  });

  it('finds lines of fast-path resources lazily, through the reference', () => {
    const [, second] = bothWays(`${POD}---\n# comment\n${POD}`).resources;
    expect(second?.line).toBe(11);
    expect(second?.lineOf(['spec', 'containers', 0, 'image'])).toBe(18);
    expect(second?.lineOf(['spec', 'containers', 0, 'securityContext'])).toBe(17);
  });
});
