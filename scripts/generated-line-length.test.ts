import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Generated output is read by people (reviews, `kubectl get -o yaml`, an engine's error pointing at a line):
 * no line of the committed catalogue output may be longer than 300 characters, so CEL and Rego must be laid out
 * on lines of their own rather than emitted as one-line strings.
 */

const MAX_LINE = 300;
const generated = join(import.meta.dirname, '..', 'generated');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe('generated/ line length', () => {
  it(`has no line longer than ${MAX_LINE} characters`, () => {
    const all = files(generated);
    expect(all.length).toBeGreaterThan(100);
    const long: string[] = [];
    for (const file of all) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (line.length > MAX_LINE) long.push(`${relative(generated, file)}:${i + 1} (${line.length})`);
        });
    }
    const longFiles = new Set(long.map((l) => l.slice(0, l.indexOf(':'))));
    expect(
      long.length,
      `${long.length} lines in ${longFiles.size} files are longer than ${MAX_LINE}; the first: ${long.slice(0, 10).join(', ')}`,
    ).toBe(0);
  });
});
