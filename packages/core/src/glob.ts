/**
 * Glob matching shared by match blocks, exceptions and the IR's `glob`: `*` matches any run of characters
 * (including none, and including `/`), `?` exactly one; everything else is literal. Case-sensitive.
 */
const cache = new Map<string, RegExp>();

export function globToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    // `u`: `?` is one character (code point), not one UTF-16 unit.
    re = new RegExp(`^${source}$`, 'su');
    cache.set(pattern, re);
  }
  return re;
}

export function globMatch(value: string, pattern: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return value === pattern;
  return globToRegExp(pattern).test(value);
}
