import { join } from 'node:path';
import {
  isPodKind,
  matchedKinds,
  type Policy,
  type ResolvedPolicy,
  type Rule,
  resolvePolicy,
  selectPolicies,
} from '@palisade/core';
import {
  compileRule,
  type Env,
  formatPath,
  jsonTypeName,
  type Path,
  podBinding,
  Validator,
} from '@palisade/validator';
import { describe, expect, it } from 'vitest';
import {
  catalogueDir,
  type Fixture,
  loadFixtureParams,
  loadFixtures,
  wrapPodInController,
} from './fixtures.js';
import { catalogue } from './index.js';

/**
 * A security tool must not pass what it cannot read. For every catalogue policy and each of its fixtures (and the
 * Deployment form of its Pod fixtures), every field the policy's conditions read is changed, one at a time, to a
 * value of another JSON type (a string for a boolean, a scalar for an object or a list, a list for an object...).
 * The policy's result must then be `error`, naming that field. The only other outcomes allowed are the documented
 * ones where the type does not matter to the policy, and then the result must be exactly the unchanged one:
 * - a field tested only for presence (`defined`), so nothing below it was read;
 * - a value of a map the policy ranges over (`entries`, e.g. annotations) that its conditions never look at;
 * - a Kubernetes quantity (`resources.requests.cpu`...), which is a number or a string, changed between the two.
 * The fields read are recorded with proxies while the rule (messages left out) evaluates the unchanged fixture.
 */

interface Reads {
  /** Paths read, from the resource root, of values that exist. */
  paths: Path[];
  /** Paths of maps and lists whose keys were enumerated (`entries`). */
  enumerated: Set<string>;
}

const key = (path: Path) => JSON.stringify(path);

function recordReads(resolved: ResolvedPolicy, object: Record<string, unknown>, params: unknown): Reads {
  const reads = new Map<string, Path>();
  const enumerated = new Set<string>();
  const proxies = new WeakMap<object, unknown>();
  let recording = false;
  const wrap = (target: unknown, path: Path): unknown => {
    if (target === null || typeof target !== 'object') return target;
    const cached = proxies.get(target);
    if (cached) return cached;
    const proxy = new Proxy(target, {
      get(t, k, receiver) {
        const v: unknown = Reflect.get(t, k, receiver);
        if (typeof k !== 'string' || !Object.hasOwn(t, k) || (Array.isArray(t) && k === 'length')) return v;
        const child = [...path, Array.isArray(t) ? Number(k) : k];
        if (recording) reads.set(key(child), child);
        return wrap(v, child);
      },
      ownKeys(t) {
        if (recording) enumerated.add(key(path));
        return Reflect.ownKeys(t);
      },
    });
    proxies.set(target, proxy);
    return proxy;
  };
  const root = wrap(object, []) as Record<string, unknown>;
  const kind = String(object.kind);
  const asPod = isPodKind(kind) && resolved.policy.match.kinds.some(isPodKind);
  const bound = asPod ? podBinding(kind, root) : undefined;
  const noMessages: Rule = {
    ...resolved.rule,
    checks: resolved.rule.checks.map((c) => ({ ...c, message: [] })),
  };
  const compiled = compileRule({ rule: noMessages });
  const env: Env = {
    vars: { object: root, pod: bound?.pod },
    paths: { object: [], pod: bound?.path },
    params: (params ?? {}) as Record<string, unknown>,
    exemptImages: undefined,
  };
  recording = true;
  if (compiled.applies(env)) compiled.evaluate(env);
  recording = false;
  const paths = [...reads.values()];
  // Reading the pod reads the path to its template (spec.template...).
  const template = bound?.path ?? [];
  if (paths.some((p) => template.every((k, i) => p[i] === k) && p.length > template.length)) {
    for (let i = 1; i <= template.length; i++) paths.push(template.slice(0, i));
  }
  return {
    paths: paths.filter(
      (p) => p.length > 0 && !(p.length === 1 && (p[0] === 'kind' || p[0] === 'apiVersion')),
    ),
    enumerated,
  };
}

function at(object: unknown, path: Path): unknown {
  let node = object;
  for (const k of path) node = (node as Record<string | number, unknown>)[k];
  return node;
}

function withValue(object: Record<string, unknown>, path: Path, value: unknown): Record<string, unknown> {
  const copy = structuredClone(object);
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path.at(-1) as string | number] = value;
  return copy;
}

/** Values of other JSON types than `v`'s. */
function otherTypes(v: unknown): unknown[] {
  switch (jsonTypeName(v)) {
    case 'boolean':
      return [String(v), v ? 1 : 0, [v]];
    case 'number':
      return [String(v), true, { value: v }];
    case 'string':
      return [/^\d+$/.test(v as string) ? Number(v) : 7, true, [v]];
    case 'list':
      return ['x', {}, 1];
    case 'object':
      return ['x', [], 42];
    default:
      return [];
  }
}

const QUANTITY = /^resources\.(?:requests|limits)\.[^.]+$/;

function single(validator: Validator, object: Record<string, unknown>) {
  const results = validator.validate(object);
  if (results.length !== 1) throw new Error(`expected one result, got ${results.length}`);
  return results[0] as NonNullable<(typeof results)[0]>;
}

describe('every field a catalogue policy reads, changed to another JSON type, gives an error result', () => {
  for (const policy of catalogue) {
    it(policy.id, () => {
      const dir = join(catalogueDir, policy.id);
      const params = loadFixtureParams(dir);
      const objects: { fixture: Fixture; name: string; object: Record<string, unknown> }[] = [];
      for (const fixture of loadFixtures(dir)) {
        objects.push({ fixture, name: fixture.name, object: fixture.object });
        if (fixture.object.kind === 'Pod' && matchedKinds(policy.match).includes('Deployment')) {
          objects.push({
            fixture,
            name: `${fixture.name} (Deployment)`,
            object: wrapPodInController(fixture.object, 'Deployment'),
          });
        }
      }
      const unexpected: string[] = [];
      let mutated = 0;
      let errors = 0;
      for (const { fixture, name, object } of objects) {
        const config = resolveFor(policy, fixture);
        if (!config) continue; // not in force at the fixture's version
        const validator = new Validator({ policies: [{ ...config, params }] });
        const original = single(validator, object);
        expect(original.status, `${name}: ${original.message}`).not.toBe('error');
        const reads = recordReads(config, object, params);
        for (const path of reads.paths) {
          const value = at(object, path);
          if (value === undefined || value === null) continue;
          const field = formatPath(path);
          const belowRead = reads.paths.some(
            (p) => p.length > path.length && path.every((k, i) => p[i] === k),
          );
          const presenceOnly = (Array.isArray(value) || typeof value === 'object') && !belowRead;
          const enumeratedValue = reads.enumerated.has(key(path.slice(0, -1)));
          for (const other of otherTypes(value)) {
            mutated++;
            const result = single(validator, withValue(object, path, other));
            const quantity =
              QUANTITY.test(
                field.replace(/^(?:spec\.template\.)?spec\.\w+\[\d+\]\./, '').replace(/^spec\./, ''),
              ) && ['number', 'string'].includes(jsonTypeName(other));
            if (result.status === 'error') {
              errors++;
              if (!result.message.includes(` at ${field}, found `)) {
                unexpected.push(
                  `${name}: ${field} = ${JSON.stringify(other)}: error elsewhere: ${result.message}`,
                );
              }
              continue;
            }
            const unchanged = result.status === original.status && result.message === original.message;
            // A map value reached only through `entries` is tested for presence; its type may still show in a
            // message (a volume `name` of 7 prints as "7"), so only the verdict must be unchanged.
            const sameVerdict = result.status === original.status;
            if (quantity || (presenceOnly && unchanged) || (enumeratedValue && sameVerdict)) continue;
            unexpected.push(
              `${name}: ${field} = ${JSON.stringify(other)}: ${result.status}: ${result.message}`,
            );
          }
        }
      }
      expect(unexpected).toEqual([]);
      // Every policy reads some field of its fixtures, and most changes are errors.
      expect(mutated).toBeGreaterThan(0);
      expect(errors).toBeGreaterThan(0);
    });
  }
});

function resolveFor(policy: Policy, fixture: Fixture): ResolvedPolicy | undefined {
  const version = fixture.version ?? 'latest';
  if (fixture.profile) {
    return selectPolicies(catalogue, { profile: fixture.profile, version }).find(
      (r) => r.policy.id === policy.id,
    );
  }
  return resolvePolicy(policy, version);
}
