/**
 * Glob matching shared by match blocks, exceptions and the IR's `glob`: `*` matches any run of characters
 * (including none, and including `/` and newlines), `?` exactly one character (code point); everything else is
 * literal. Case-sensitive.
 *
 * Why not a regular expression: JavaScript's engine backtracks, so `*a*a*a*a*a*a*a*a*a*a*a*a*b` as `.*a.*a…b`
 * takes time exponential in the number of stars on a long name without a `b`, and globs come from exception files
 * anyone can send in a pull request. This is the classic greedy wildcard algorithm: on a mismatch it only ever
 * returns to the last `*` seen (a later star can absorb anything an earlier one would have), each return moves that
 * star's start one character on, so it takes at most (|value| + 1) × (|pattern| + 1) steps, without allocating.
 *
 * The generated engines do not use this: Rego (`regex.match`) and CEL (`matches`) get the glob as an anchored RE2
 * regex (@palisade/cel `globsToRe2`, @palisade/rego `glob_regex`), and Go's RE2 runs in time linear in the input.
 */

const STAR = 0x2a; // *
const QUESTION = 0x3f; // ?

/** UTF-16 units of the code point: astral characters are a surrogate pair, a lone surrogate counts as one. */
const width = (codePoint: number): number => (codePoint > 0xffff ? 2 : 1);

/** For tests: counts the loop iterations of `globMatch`, the quantity the complexity bound is about. */
export interface GlobSteps {
  count: number;
}

export function globMatch(value: string, pattern: string): boolean {
  return matchGlob(value, pattern, undefined);
}

/** `globMatch`, counting its steps. */
export function matchGlob(value: string, pattern: string, steps: GlobSteps | undefined): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return value === pattern;
  let p = 0; // index into pattern (UTF-16 units, always on a code point boundary)
  let v = 0; // index into value
  let star = -1; // index of the last `*` seen in pattern, -1 before the first
  let starValue = 0; // where in value the run that star matches ends (the next attempt starts here)
  while (v < value.length) {
    if (steps) steps.count++;
    if (p < pattern.length) {
      const expected = pattern.codePointAt(p) as number;
      if (expected === STAR) {
        star = p++;
        starValue = v;
        continue;
      }
      const actual = value.codePointAt(v) as number;
      if (expected === QUESTION || expected === actual) {
        p += width(expected);
        v += width(actual);
        continue;
      }
    }
    // Mismatch (or pattern exhausted with value left): let the last star take one more character.
    if (star < 0) return false;
    p = star + 1;
    starValue += width(value.codePointAt(starValue) as number);
    v = starValue;
  }
  while (p < pattern.length && pattern.charCodeAt(p) === STAR) p++;
  return p === pattern.length;
}
