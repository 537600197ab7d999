import type { Collection, ContainerList, Value } from '@palisade/core';
import { LIB } from './lib.js';
import { regoLiteral } from './literal.js';
import type { Scope } from './scope.js';
import { compileValue, type Expr, joinExprs, variable } from './values.js';

const ALL_LISTS: readonly ContainerList[] = ['initContainers', 'containers', 'ephemeralContainers'];

const listsOf = (containers: true | readonly ContainerList[]): string =>
  regoLiteral([...(containers === true ? ALL_LISTS : containers)]);

/** The elements a loop in a condition ranges over, as a Rego array expression. */
export function collectionValues(collection: Collection, scope: Scope): Expr {
  if ('containers' in collection) {
    const pod = variable(scope, 'pod');
    return { text: `${LIB}.containers(${pod.text}, ${listsOf(collection.containers)})`, vars: pod.vars };
  }
  if ('list' in collection) {
    const v = compileValue(collection.list, scope);
    return { text: `${LIB}.as_array(${v.text})`, vars: v.vars };
  }
  const v = compileValue(collection.entries, scope);
  return { text: `${LIB}.entries(${v.text})`, vars: v.vars };
}

/** Where a value sits in the resource, when it is a read from a variable whose place is known (else null). */
function valuePath(value: Value, scope: Scope): string {
  if (!('get' in value)) return 'null';
  const base = scope.get(value.get)?.path;
  if (base === undefined) return 'null';
  if (value.path.length === 0) return base;
  if (base === '[]') return regoLiteral([...value.path]);
  return `${LIB}.path_concat(${base}, ${regoLiteral([...value.path])})`;
}

/**
 * The items a `forEach` binding ranges over: an array of `{"v": value, "p": path}` where the path locates the
 * item in the resource (null when unknown), so each violation can say which field it is about.
 */
export function collectionItems(collection: Collection, scope: Scope): Expr {
  if ('containers' in collection) {
    const pod = variable(scope, 'pod');
    const base = scope.get('pod')?.path ?? 'null';
    return {
      text: `${LIB}.container_items(${pod.text}, ${base}, ${listsOf(collection.containers)})`,
      vars: pod.vars,
    };
  }
  const source = 'list' in collection ? collection.list : collection.entries;
  const v = compileValue(source, scope);
  const fn = 'list' in collection ? 'list_items' : 'entry_items';
  return { text: `${LIB}.${fn}(${v.text}, ${valuePath(source, scope)})`, vars: joinExprs([v]) };
}
