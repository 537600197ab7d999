import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeChunksToFile, writeChunksToStream } from './report-output.js';

const MIB = 1 << 20;
/** Pieces of a report larger than a few batches, each piece different so order and loss show. */
const pieces = Array.from({ length: 3000 }, (_, i) => `${String(i).padStart(6, '0')}:${'x'.repeat(1000)}\n`);
const whole = pieces.join('');

describe('writeChunksToStream', () => {
  it('writes every piece in order, in batches of about a mebibyte', async () => {
    const writes: string[] = [];
    await writeChunksToStream(pieces, { write: (chunk: string) => writes.push(chunk) });
    expect(writes.join('')).toBe(whole);
    expect(writes.length).toBe(Math.ceil(whole.length / MIB));
    for (const batch of writes.slice(0, -1)) expect(batch.length).toBeGreaterThanOrEqual(MIB);
  });

  it('writes nothing more until a full stream drains', async () => {
    const writes: string[] = [];
    let drain: (() => void) | undefined;
    const stream = {
      write: (chunk: string) => {
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
    expect(writes.join('')).toBe(whole);
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
