import { celString } from './literal.js';

/**
 * Globs (`*` any run including `/` and newlines, `?` one character, everything else literal) as RE2, matching
 * `globMatch` in @palisade/core. Literal patterns become a regex at compile time; patterns that are data at
 * admission time (parameters, exception images) are escaped by CEL string operations at evaluation time, so a
 * parameter value is never spliced into source.
 */

/** RE2 metacharacters other than the glob operators, escaped by a backslash (Go's regexp.QuoteMeta set). */
const RE2_META = ['\\', '.', '+', '(', ')', '|', '[', ']', '{', '}', '^', '$'] as const;

function globBody(pattern: string): string {
  let out = '';
  for (const char of pattern) {
    if (char === '*') out += '.*';
    else if (char === '?') out += '.';
    else if ((RE2_META as readonly string[]).includes(char)) out += `\\${char}`;
    else out += char;
  }
  return out;
}

/** An anchored RE2 regex matching any of the literal globs; `(?s)` so `*` and `?` also match newlines. */
export function globsToRe2(patterns: readonly string[]): string {
  return `(?s)^(?:${patterns.map(globBody).join('|')})$`;
}

/** A CEL expression building the anchored RE2 regex of the glob held by the CEL string expression `pattern`. */
export function celGlobRegex(pattern: string): string {
  // Backslash first, so the escapes added for the other metacharacters are not escaped again; the glob operators
  // last, so the `.` they introduce stays a metacharacter.
  let expr = pattern;
  for (const meta of RE2_META) expr += `.replace(${celString(meta)}, ${celString(`\\${meta}`)})`;
  expr += `.replace("*", ".*").replace("?", ".")`;
  return `"(?s)^" + ${expr} + "$"`;
}
