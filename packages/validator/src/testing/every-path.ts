import type { Path } from '../compile.js';

/**
 * Every path into a value, and a missing child of every mapping: what a violation can name (a field present, or
 * one a policy requires and the resource lacks). The line differentials check each against the reference's line.
 */
export function everyPath(value: unknown): Path[] {
  const all: Path[] = [];
  const walk = (node: unknown, path: Path): void => {
    all.push(path);
    if (node === null || typeof node !== 'object') return;
    if (!Array.isArray(node)) all.push([...path, 'missing']);
    const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    for (const key of keys) walk((node as Record<string | number, unknown>)[key], [...path, key]);
  };
  walk(value, []);
  return all;
}
