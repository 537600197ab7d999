import { describe, expect, it } from 'vitest';
import { formatCel } from './format.js';
import { celString } from './literal.js';

/** The expression with white space outside string literals removed: what the layout may change. */
function tokens(expr: string): string {
  let out = '';
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i] as string;
    if (ch === '"') {
      let j = i + 1;
      while (expr[j] !== '"') j += expr[j] === '\\' ? 2 : 1;
      out += expr.slice(i, j + 1);
      i = j;
    } else if (!/\s/.test(ch)) out += ch;
  }
  return out;
}

const hostile = ['a && b || c ? d : e', '(', ')', '[?', '", x, "', '\\"', '#', '  ', '{', '$('].map(
  celString,
);

/** A nested expression of the shapes the compiler emits, every literal hostile. */
function sample(depth: number): string {
  if (depth === 0) return `dyn(x.?name.orValue(null)) == ${hostile[depth % hostile.length]}`;
  const inner = sample(depth - 1);
  const lit = hostile[depth % hostile.length] as string;
  return `(type(variables.pod.?spec.orValue(null)) != list && ${inner} ? [${lit}, dyn(${inner})].map(x${depth}, x${depth} == ${lit} || !${inner}) : {${lit}: dyn(${inner})}[?${lit}].orValue(null) != null)`;
}

describe('formatCel', () => {
  it('keeps a short expression as it is', () => {
    expect(formatCel('size(variables.violations0) == 0')).toBe('size(variables.violations0) == 0');
  });

  it('only moves white space outside string literals, and keeps every line short', () => {
    for (let depth = 1; depth <= 5; depth++) {
      const expr = sample(depth);
      const formatted = formatCel(expr);
      expect(tokens(formatted)).toBe(tokens(expr));
      for (const line of formatted.split('\n')) {
        expect(line.length).toBeLessThanOrEqual(160);
        expect(line).toBe(line.trimEnd());
      }
    }
  });

  it('splits a string literal longer than a line into literals joined by +, never inside an escape', () => {
    const text = `${'\u00e9'.repeat(50)}${'x'.repeat(200)}"`;
    const expr = `x.matches(${celString(text)})`;
    const formatted = formatCel(expr);
    expect(formatted.split('\n').every((l) => l.length <= 160)).toBe(true);
    const joined = tokens(formatted).replace(/"\+"/g, '');
    expect(joined).toBe(tokens(expr));
  });
});
