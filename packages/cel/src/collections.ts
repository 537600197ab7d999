import type { Collection, ContainerList } from '@palisade/core';
import type { Scope, VarRef } from './scope.js';
import { compileValue, readPath } from './values.js';

export const ALL_CONTAINER_LISTS: readonly ContainerList[] = [
  'initContainers',
  'containers',
  'ephemeralContainers',
];

/** A collection to loop over: the CEL range, and how the loop variable reads given its comprehension name. */
export interface Items {
  range: string;
  bind: (name: string) => VarRef;
}

/**
 * A collection as a comprehension range. A value that is not a list (or map, for `entries`) is empty, as in the
 * reference. Entries iterate the map's keys; `sorted` orders them so messages do not depend on the engine's map
 * iteration order (Go maps have none).
 */
export function compileItems(scope: Scope, collection: Collection, sorted = false): Items {
  if ('containers' in collection) {
    const lists = collection.containers === true ? ALL_CONTAINER_LISTS : collection.containers;
    return { range: scope.containers(lists), bind: (name) => ({ expr: name, map: true }) };
  }
  if ('list' in collection) {
    const source = collection.list;
    // A plain read folds the list test into its own guard; any other value is tested as it is.
    const read = 'get' in source && source.default === undefined ? source : undefined;
    const ref = read && scope.vars.get(read.get);
    let range: string;
    if (read && ref && 'expr' in ref)
      range = readPath(ref.expr, ref.map, read.path, { type: 'list', orElse: '[]' });
    else {
      const value = compileValue(scope, source);
      range = `(type(${value}) == list ? ${value} : [])`;
    }
    return { range, bind: (name) => ({ expr: name, map: false }) };
  }
  const map = compileValue(scope, collection.entries);
  const k = scope.fresh();
  const keys = sorted ? `${map}.map(${k}, ${k}).sort()` : map;
  return {
    range: `(type(${map}) == map ? ${keys} : [])`,
    bind: (name) => ({ entry: { map, key: name } }),
  };
}

/**
 * The containers of `pod` (a map or null) in the given lists, as maps: entries that are not objects are skipped
 * (a type mismatch, docs/ir.md: the validator reports it, generated policies must only not fail), and containers
 * `exempt` names (a CEL bool of the container) are dropped. The elements stay `dyn`: mapping a list entry to a
 * `{}` literal would type them as maps, and a numeric index of a map-typed value does not type-check.
 */
export function containersOf(
  scope: Scope,
  pod: string,
  lists: readonly ContainerList[],
  exempt: ((container: string) => string) | undefined,
): string {
  const parts = lists.map((list) => {
    return readPath(pod, true, ['spec', list], { type: 'list', orElse: '[]' });
  });
  const c = scope.fresh();
  const keep = `type(${c}) == map${exempt ? ` && !${exempt(c)}` : ''}`;
  return `(${parts.join(' + ')}).filter(${c}, ${keep})`;
}
