import { describe, expect, it } from 'vitest';
import { celLiteral, celNumber, celString } from './literal.js';

describe('CEL literals from data', () => {
  it('escapes everything that could end a literal, add a line, or read as a Kyverno variable', () => {
    expect(celString('a"b')).toBe('"a\\"b"');
    expect(celString('a\\b')).toBe('"a\\\\b"');
    expect(celString('a\nb\r\t')).toBe('"a\\nb\\r\\t"');
    expect(celString('{{ request.object }}')).toBe('"\\u007b\\u007b request.object \\u007d\\u007d"');
    expect(celString('é🙂\u2028')).toBe('"\\u00e9\\U0001f642\\u2028"');
    expect(() => celString('\ud800')).toThrow('lone UTF-16 surrogate');
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
