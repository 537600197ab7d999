import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type GlobSteps, globMatch, matchGlob } from './glob.js';

/**
 * The semantics globs had as a backtracking regular expression (`*` → `.*`, `?` → `.`, `su` flags), kept as the
 * reference: fine on the small inputs of the property, exponential on adversarial ones.
 */
function referenceGlob(value: string, pattern: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'su').test(value);
}

/** Characters that exercise every branch: wildcards, astral and combining code points, a lone surrogate, newlines. */
const CHARACTERS = [
  'a',
  'b',
  '*',
  '?',
  '/',
  '.',
  '\n',
  'é',
  '😀',
  '\u{10ffff}',
  '\ud83d',
  '\ude00',
  '\\',
  '[',
];
const text = (maxLength: number, characters: readonly string[] = CHARACTERS) =>
  fc.array(fc.constantFrom(...characters), { maxLength }).map((chars) => chars.join(''));
/** Without lone surrogates, which can pair up when strings are concatenated. */
const WHOLE_CHARACTERS = CHARACTERS.filter((c) => !/^[\ud800-\udfff]$/.test(c));

const steps = (value: string, pattern: string): number => {
  const counter: GlobSteps = { count: 0 };
  matchGlob(value, pattern, counter);
  return counter.count;
};

/** The complexity claim: at most (|value| + 1) × (|pattern| + 1) steps (lengths in UTF-16 units). */
const bound = (value: string, pattern: string) => (value.length + 1) * (pattern.length + 1);

describe('globMatch', () => {
  it('agrees with the regular-expression semantics on random globs and values', () => {
    fc.assert(
      fc.property(text(10), text(16), (pattern, value) => {
        expect(globMatch(value, pattern)).toBe(referenceGlob(value, pattern));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on values built to match the glob (so that matches are not rare)', () => {
    const matching = text(8, WHOLE_CHARACTERS).chain((pattern) =>
      fc
        .tuple(
          ...[...pattern].map((c) =>
            c === '*'
              ? text(4, WHOLE_CHARACTERS)
              : c === '?'
                ? fc.constantFrom(...WHOLE_CHARACTERS)
                : fc.constant(c),
          ),
        )
        .map((parts) => ({ pattern, value: parts.join('') })),
    );
    fc.assert(
      fc.property(matching, ({ pattern, value }) => {
        expect(referenceGlob(value, pattern)).toBe(true);
        expect(globMatch(value, pattern)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('stays within (|value| + 1) × (|pattern| + 1) steps on random input', () => {
    fc.assert(
      fc.property(text(12), text(40), (pattern, value) => {
        expect(steps(value, pattern)).toBeLessThanOrEqual(bound(value, pattern));
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(10_000)],
    ['*a*a*a*a*a*a*a*a*a*a*a*a*b', `${'a'.repeat(10_000)}b`],
    [`${'a*'.repeat(50)}b`, 'a'.repeat(10_000)],
    [`*${'?'.repeat(30)}b`, '😀'.repeat(10_000)],
    [`*${'a'.repeat(100)}b`, 'a'.repeat(10_000)],
    ['*a*?*a*?*a*?*a*?*a*?*a*?*ab', `${'a\n'.repeat(5_000)}`],
  ])('adversarial glob %s on a long value: steps within the bound', (pattern, value) => {
    const matched = globMatch(value, pattern);
    expect(matched).toBe(value.endsWith('b') && pattern.endsWith('b'));
    expect(steps(value, pattern)).toBeLessThanOrEqual(bound(value, pattern));
  });

  it('treats regex metacharacters, slashes and newlines as the glob semantics say', () => {
    expect(globMatch('registry.example.com/app', 'registry.example.com/*')).toBe(true);
    expect(globMatch('registryXexample.com/app', 'registry.example.com/*')).toBe(false);
    expect(globMatch('a(b)', 'a(?)')).toBe(true);
    expect(globMatch('multi\nline', 'multi*')).toBe(true);
    expect(globMatch('a\nb', 'a?b')).toBe(true);
    expect(globMatch('a😀', 'a?')).toBe(true);
    expect(globMatch('a😀', 'a??')).toBe(false);
    expect(globMatch('App', 'app')).toBe(false);
    expect(globMatch('', '*')).toBe(true);
    expect(globMatch('', '?')).toBe(false);
  });
});
