import type { Json } from '@palisade/core';

/**
 * A JSON value as a Rego term. JSON's string, number, array and object syntax is Rego's, so JSON.stringify
 * escapes strings correctly for Rego. Only IR constants pass through here: parameter values never become source.
 */
export function regoLiteral(value: Json): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`non-finite number ${v} in a literal`);
    return v;
  });
}

/** A Rego string literal. */
export const regoString = (s: string): string => JSON.stringify(s);
