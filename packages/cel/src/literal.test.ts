import { describe, expect, it } from 'vitest';
import { celLiteral, celNumber, celString } from './literal.js';

/** Reads a CEL string literal as written by celString (the escapes it uses), back into the string. */
function decodeCelString(literal: string): string {
  expect(literal.startsWith('"') && literal.endsWith('"')).toBe(true);
  const escapes: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', r: '\r', t: '\t' };
  return literal
    .slice(1, -1)
    .replace(/\\(u[0-9a-f]{4}|U[0-9a-f]{8}|["\\nrt])/g, (_, e: string) =>
      e.length > 1 ? String.fromCodePoint(Number.parseInt(e.slice(1), 16)) : (escapes[e] as string),
    );
}

/** Every string of up to three pieces of the syntaxes of CEL, YAML and Kyverno (`{{ }}`, `$( )`, escapes). */
function gluedStrings(): string[] {
  const pieces = ['{', '}', '$', '(', ')', '\\', '"', '\n', 'x', '@', ' ', '\u2028', '🙂'];
  const out = [''];
  for (let n = 0; n < 3; n++) {
    for (const s of out.slice()) for (const p of pieces) out.push(s + p);
  }
  return [...new Set(out)];
}

describe('CEL literals from data', () => {
  it('escapes everything that could end a literal, add a line, or read as a Kyverno variable', () => {
    expect(celString('a"b')).toBe('"a\\"b"');
    expect(celString('a\\b')).toBe('"a\\\\b"');
    expect(celString('a\nb\r\t')).toBe('"a\\nb\\r\\t"');
    expect(celString('{{ request.object }}')).toBe('"\\u007b\\u007b request.object \\u007d\\u007d"');
    expect(celString('é🙂\u2028')).toBe('"\\u00e9\\U0001f642\\u2028"');
    expect(() => celString('\ud800')).toThrow('lone UTF-16 surrogate');
  });

  it("escapes the $ of Kyverno's $( references, and only that $", () => {
    expect(celString('$(request.object)')).toBe('"\\u0024(request.object)"');
    expect(celString('$$(')).toBe('"$\\u0024("');
    expect(celString('^a$')).toBe('"^a$"');
  });

  it('writes every glued string as a literal that reads back as itself, holding no {{, $( or line break', () => {
    const strings = gluedStrings();
    expect(strings.length).toBeGreaterThan(2000);
    for (const s of strings) {
      const literal = celString(s);
      expect(decodeCelString(literal), JSON.stringify(s)).toBe(s);
      expect(literal, JSON.stringify(s)).not.toMatch(/\{\{|\$\(|[\n\r\u2028]/);
    }
  });

  it('keeps printable ASCII as it is', () => {
    expect(celString('registry.example.com/app:1.0 *?[]')).toBe('"registry.example.com/app:1.0 *?[]"');
  });

  it('writes integers as int, other numbers as double, and refuses what CEL cannot hold', () => {
    expect(celNumber(42)).toBe('42');
    expect(celNumber(-0.5)).toBe('-0.5');
    expect(celNumber(1e21)).toBe('1e+21');
    expect(() => celNumber(Number.NaN)).toThrow();
  });

  it('wraps list elements and map values in dyn() with sorted keys, so mixed literals type-check', () => {
    expect(celLiteral({ b: [1, 'x', null], a: true })).toBe(
      '{"a": dyn(true), "b": dyn([dyn(1), dyn("x"), dyn(null)])}',
    );
  });
});
