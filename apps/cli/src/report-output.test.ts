import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { utf8Batches, writeChunksToFile, writeChunksToStream } from './report-output.js';

const MIB = 1 << 20;
/** Pieces of a report larger than a few batches, each piece different so order and loss show. */
const pieces = Array.from({ length: 3000 }, (_, i) => `${String(i).padStart(6, '0')}:${'x'.repeat(1000)}\n`);
const whole = pieces.join('');

const text = (writes: readonly (string | Uint8Array)[]) =>
  Buffer.concat(writes.map((w) => (typeof w === 'string' ? Buffer.from(w) : w))).toString('utf8');

describe('utf8Batches', () => {
  it('encodes every piece in order, in batches of at most a mebibyte, each nearly full', () => {
    const batches = [...utf8Batches(pieces)];
    expect(text(batches)).toBe(whole);
    for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(MIB);
    // A batch closes when the next piece might not fit (3 bytes per UTF-16 unit at most).
    for (const batch of batches.slice(0, -1)) expect(batch.length).toBeGreaterThan(MIB - 3 * 1008);
  });

  it('encodes non-Latin-1 text, surrogate pairs and lone surrogates as Buffer.from does', () => {
    const mixed = ['plain ', 'é ü ', '名前 ', '🙂🙂 ', 'lone \ud800 ', 'x'.repeat(40), '\udfff end'];
    const many = Array.from({ length: 200 }, (_, i) => mixed[i % mixed.length] as string);
    const batches = [...utf8Batches(many, 64)];
    expect(Buffer.concat(batches).equals(Buffer.from(many.join(''), 'utf8'))).toBe(true);
    for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(64);
  });

  it('gives a piece larger than a batch a batch of its own', () => {
    const large = 'y'.repeat(100);
    const batches = [...utf8Batches(['ab', large, 'cd'], 64)].map((b) => b.toString('utf8'));
    expect(batches).toEqual(['ab', large, 'cd']);
  });
});

describe('writeChunksToStream', () => {
  it('writes every piece in order, in batches of about a mebibyte', async () => {
    const writes: (string | Uint8Array)[] = [];
    await writeChunksToStream(pieces, { write: (chunk) => writes.push(chunk) });
    expect(text(writes)).toBe(whole);
    expect(writes.length).toBe([...utf8Batches(pieces)].length);
  });

  it('writes nothing more until a full stream drains', async () => {
    const writes: (string | Uint8Array)[] = [];
    let drain: (() => void) | undefined;
    const stream = {
      write: (chunk: string | Uint8Array) => {
        writes.push(chunk);
        return false;
      },
      once: (_event: 'drain', listener: () => void) => {
        drain = listener;
      },
    };
    const done = writeChunksToStream(pieces, stream);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(writes).toHaveLength(1);
    while (drain) {
      const next = drain;
      drain = undefined;
      next();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await done;
    expect(text(writes)).toBe(whole);
  });
});

describe('writeChunksToFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-report-output-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates or truncates the file and writes every piece in order', () => {
    const file = join(dir, 'report.txt');
    writeChunksToFile(['a much longer first version\n'], file);
    writeChunksToFile(pieces, file);
    expect(readFileSync(file, 'utf8')).toBe(whole);
  });

  it('throws what the file system says when the file cannot be written', () => {
    expect(() => writeChunksToFile(pieces, join(dir, 'missing', 'report.txt'))).toThrow(/ENOENT/);
  });
});
