import type { Message } from '@palisade/core';
import { celString } from './literal.js';
import { isNumber, type Scope } from './scope.js';
import { compileValue } from './values.js';

/**
 * Message text as the reference prints it (`formatValue`): strings raw, lists joined by ", ", undefined as
 * "<unset>", numbers, booleans and JSON null as JSON. Maps, and lists inside lists, print as "{...}" and "[...]"
 * rather than JSON: CEL has no recursion, full JSON rendering multiplies compile time (Kyverno compiles per
 * resource), and no catalogue message prints one (they print names, images, types and numbers).
 */

function scalar(x: string): string {
  return `(${x} == null ? "null" : (type(${x}) == bool || ${isNumber(x)}) ? string(${x}) : type(${x}) == list ? "[...]" : "{...}")`;
}

/** `formatValue` of the CEL value named `v`. */
function format(scope: Scope, v: string): string {
  const e = scope.fresh();
  return (
    `(${v} == null ? "<unset>" : type(${v}) == string ? string(${v}) : type(${v}) == list ? ` +
    `${v}.map(${e}, type(${e}) == string ? string(${e}) : ${scalar(e)}).join(", ") : ${scalar(v)})`
  );
}

/**
 * The message as a CEL string expression: its parts in one list formatted by a single comprehension (text parts
 * are strings, which format as themselves), so the formatter appears once per message, not once per value.
 */
export function compileMessage(scope: Scope, message: Message): string {
  if (message.every((part) => typeof part === 'string')) return celString(message.join(''));
  // Every part is dyn: a list literal's elements must share a static type, and a value read from the object
  // (e.g. a label, `cond ? value : null`) is not dyn by itself, which makes the whole message fail to compile.
  const parts = message.map((part) =>
    typeof part === 'string' ? `dyn(${celString(part)})` : `dyn(${compileValue(scope, part)})`,
  );
  const v = scope.fresh();
  return `[${parts.join(', ')}].map(${v}, ${format(scope, v)}).join("")`;
}
