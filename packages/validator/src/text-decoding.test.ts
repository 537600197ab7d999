import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifestFile, STDIN_NAME } from './input-files.js';
import type { LoadedManifests } from './manifest-resources.js';
import { parseManifests, parseManifestsWithReference } from './parse-manifests.js';
import { decodeManifestBytes } from './text-decoding.js';

/**
 * Manifests are decoded as kubectl decodes them (UTF-8 with or without a byte order mark, UTF-16 LE or BE with
 * one), and bytes that are not valid in their encoding are an input error naming the line: kubectl would replace
 * them by U+FFFD, which could change a value a policy checks.
 */

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: wëb-日本-😀
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        privileged: true
`;

type Encoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be';
const ENCODINGS: Encoding[] = ['utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be'];

function encode(text: string, encoding: Encoding): Buffer {
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'utf-16le':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf-16be':
      return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
  }
}

/** What a load found, with every line a report could print. */
function described(loaded: LoadedManifests) {
  return {
    resources: loaded.resources.map((r) => ({
      document: r.document,
      line: r.line,
      object: r.object,
      privilegedLine: r.lineOf(['spec', 'containers', 0, 'securityContext', 'privileged']),
    })),
    errors: loaded.errors.map(({ file: _file, ...error }) => error),
  };
}

let dir: string;
const path = (name: string) => join(dir, name);
const load = (name: string, bytes: Uint8Array, maxFileSize?: number) => {
  writeFileSync(path(name), bytes);
  return loadManifestFile(path(name), maxFileSize === undefined ? {} : { maxFileSize });
};
async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-encoding-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('decoding', () => {
  it('reads UTF-8 with or without a byte order mark and UTF-16 LE and BE with one, as the same text', () => {
    for (const encoding of ENCODINGS) {
      expect(decodeManifestBytes(encode(POD, encoding)), encoding).toEqual({
        text: POD,
        encoding: encoding === 'utf-8-bom' ? 'utf-8' : encoding,
      });
    }
  });

  it('keeps resources, documents and lines of every encoding, \\r\\n line breaks included, on both tiers', async () => {
    const text = `# header\n${POD}---\n${POD.replace('name: app', 'name: two')}`;
    const expected = described(parseManifests(text, 'f.yaml'));
    expect(expected.resources.map((r) => [r.document, r.line, r.privilegedLine])).toEqual([
      [1, 2, 11],
      [2, 13, 22],
    ]);
    for (const newline of ['\n', '\r\n']) {
      const source = text.replace(/\n/g, newline);
      for (const encoding of ENCODINGS) {
        const loaded = await load(`pod-${encoding}.yaml`, encode(source, encoding));
        expect(described(loaded), `${encoding} ${JSON.stringify(newline)}`).toEqual(expected);
        const decoded = decodeManifestBytes(encode(source, encoding));
        if ('error' in decoded) throw new Error(decoded.error);
        expect(described(parseManifestsWithReference(decoded.text, 'f.yaml'))).toEqual(expected);
      }
    }
  });

  it('locates syntax errors in UTF-16 files by lines of the decoded text', async () => {
    const text = `${POD}---\napiVersion: v1\nkind: Pod\nmetadata: {name: x\n---\n${POD}`;
    for (const encoding of ENCODINGS) {
      const loaded = await load(`broken-${encoding}.yaml`, encode(text.replace(/\n/g, '\r\n'), encoding));
      expect(loaded.resources.map((r) => r.document)).toEqual([1, 3]);
      expect(loaded.errors).toEqual([
        {
          file: path(`broken-${encoding}.yaml`),
          document: 2,
          line: 14,
          column: 11,
          message: expect.stringMatching(/^invalid YAML/),
        },
      ]);
    }
  });

  it('reads JSON files with a byte order mark, in UTF-8 or UTF-16', async () => {
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' } }, null, 2);
    for (const encoding of ENCODINGS) {
      const loaded = await load(`pod-${encoding}.json`, encode(json, encoding));
      expect(loaded.errors).toEqual([]);
      expect(loaded.resources.map((r) => [r.kind, r.lineOf(['metadata', 'name'])])).toEqual([['Pod', 5]]);
    }
  });

  it('decodes standard input the same way, whatever the chunks it arrives in', async () => {
    for (const encoding of ENCODINGS) {
      const bytes = encode(POD, encoding);
      for (const size of [1, 3, 7, 4096]) {
        const loaded = await loadManifestFile('-', { stdin: chunksOf(bytes, size) });
        expect(loaded.errors).toEqual([]);
        expect(loaded.resources.map((r) => [r.file, r.object.metadata])).toEqual([
          [STDIN_NAME, { name: 'wëb-日本-😀' }],
        ]);
      }
    }
    const invalid = Buffer.from('apiVersion: v1\nkind: Pod\nmetadata: {name: "\xff"}\n', 'latin1');
    const loaded = await loadManifestFile('-', { stdin: chunksOf(invalid, 5) });
    expect(loaded).toEqual({
      resources: [],
      errors: [{ file: STDIN_NAME, message: 'invalid UTF-8 at line 3 (byte 44 of the file)' }],
    });
  });

  it('applies the size limit to the bytes read, not the characters decoded', async () => {
    const bytes = encode(POD, 'utf-16le');
    expect(POD.length).toBeLessThan(bytes.length - 10);
    const tooLarge = await load('large-utf16.yaml', bytes, bytes.length - 1);
    expect(tooLarge.errors).toEqual([
      { file: path('large-utf16.yaml'), message: `file is larger than the ${bytes.length - 1} bytes limit` },
    ]);
    expect((await load('fits-utf16.yaml', bytes, bytes.length)).errors).toEqual([]);
    const fromStdin = await loadManifestFile('-', {
      stdin: chunksOf(bytes, 16),
      maxFileSize: bytes.length - 1,
    });
    expect(fromStdin.errors).toEqual([
      { file: STDIN_NAME, message: `file is larger than the ${bytes.length - 1} bytes limit` },
    ]);
  });
});

describe('bytes that are not text in their encoding', () => {
  const line3 = (bytes: number[]) =>
    Buffer.concat([Buffer.from('apiVersion: v1\nkind: Pod\nmetadata: {name: "'), Buffer.from(bytes)]);
  const cases: [string, Buffer, string][] = [
    ['a byte that starts no UTF-8 sequence', line3([0xff]), 'invalid UTF-8 at line 3 (byte 44 of the file)'],
    [
      'a truncated UTF-8 sequence',
      line3([0xe6, 0x97, 0x22]),
      'invalid UTF-8 at line 3 (byte 44 of the file)',
    ],
    ['an overlong UTF-8 encoding', line3([0xc0, 0xaf]), 'invalid UTF-8 at line 3 (byte 44 of the file)'],
    ['a UTF-8 encoded surrogate', line3([0xed, 0xa0, 0x80]), 'invalid UTF-8 at line 3 (byte 44 of the file)'],
    [
      'a code point past U+10FFFF',
      line3([0xf4, 0x90, 0x80, 0x80]),
      'invalid UTF-8 at line 3 (byte 44 of the file)',
    ],
    [
      'invalid UTF-8 after a byte order mark',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), line3([0x80])]),
      'invalid UTF-8 at line 3 (byte 47 of the file)',
    ],
    [
      'UTF-16 with an odd number of bytes',
      Buffer.concat([encode(POD, 'utf-16le'), Buffer.from([0x41])]),
      'invalid UTF-16LE: an odd number of bytes',
    ],
    [
      'UTF-16 with an unpaired surrogate',
      encode('apiVersion: v1\nkind: Pod\nmetadata: {name: "\ud800"}\n', 'utf-16be'),
      'invalid UTF-16BE at line 3: an unpaired surrogate',
    ],
    [
      'UTF-32 LE',
      Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from('a\u0000\u0000\u0000')]),
      'UTF-32 is not supported (kubectl reads UTF-8 and UTF-16): save the file as UTF-8',
    ],
    [
      'UTF-32 BE',
      Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), Buffer.from('\u0000\u0000\u0000a')]),
      'UTF-32 is not supported (kubectl reads UTF-8 and UTF-16): save the file as UTF-8',
    ],
    [
      'UTF-16 without a byte order mark',
      Buffer.from(POD, 'utf16le'),
      'binary file (it contains a NUL byte): UTF-16 needs a byte order mark',
    ],
  ];
  it.each(cases)('are an input error naming the file: %s', async (name, bytes, message) => {
    const file = `${name.replace(/\W+/g, '-')}.yaml`;
    expect(await load(file, bytes)).toEqual({ resources: [], errors: [{ file: path(file), message }] });
  });

  it('locate the first invalid UTF-8 byte exactly where a strict decoder stops (property)', () => {
    const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const decodes = (bytes: Uint8Array) => {
      try {
        strict.decode(bytes);
        return true;
      } catch {
        return false;
      }
    };
    // Mostly ASCII and newlines, with lead, continuation and invalid bytes: the corners of UTF-8.
    const byte = fc.oneof(
      fc.constantFrom(0x41, 0x0a, 0x22),
      fc.integer({ min: 0x80, max: 0xbf }),
      fc.integer({ min: 0xc0, max: 0xff }),
    );
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 24 }), (values) => {
        const bytes = Uint8Array.from(values);
        const decoded = decodeManifestBytes(bytes);
        // Byte order marks are tested above.
        if (
          bytes[0] === 0xfe ||
          bytes[0] === 0xff ||
          (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
        )
          return;
        if (decodes(bytes)) {
          expect(decoded).toEqual({ text: strict.decode(bytes), encoding: 'utf-8' });
          return;
        }
        // The longest prefix a strict decoder accepts ends where the first invalid sequence starts.
        let valid = bytes.length;
        while (!decodes(bytes.subarray(0, valid))) valid--;
        const line = bytes.subarray(0, valid).filter((b) => b === 0x0a).length + 1;
        expect(decoded).toEqual({ error: `invalid UTF-8 at line ${line} (byte ${valid + 1} of the file)` });
      }),
      { seed: 20251209, numRuns: 2000 },
    );
  });
});
