import type { PolicyConfig, PolicyException } from '@palisade/core';
import {
  catalogueConfigs,
  HOSTILE_EXCEPTION,
  HOSTILE_PARAMS,
  HOSTILE_RESOURCE_EXCEPTION,
  HOSTILE_STRINGS,
  hostileObjects,
  hostileStrings,
  KYVERNO_SYNTAX,
} from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { hasKyvernoSyntax, kyvernoInert, kyvernoText } from './inert.js';
import { buildKyvernoForTest } from './testing/build.js';

/**
 * Kyverno's own patterns (pkg/engine/variables/regex/vars.go, v1.19.0): a variable, a reference, an escaped
 * reference. RE2 and JavaScript read these three the same way.
 */
const KYVERNO_PATTERNS = {
  variable: /(^|[^\\])(\{\{(?:\{[^{}]*\}|[^{}])*\}\})/,
  reference: /^\$\(.[^ ]*\)|[^\\]\$\(.[^ ]*\)/,
  escapedReference: /\\\$\(.[^ )]*\)/,
};

const NOW = new Date('2025-01-01T00:00:00Z');
const GENERATED = hostileStrings(300, 9);

describe('kyvernoText', () => {
  it('leaves nothing Kyverno reads in hostile strings, and changes no other string', () => {
    for (const s of [...HOSTILE_STRINGS, ...GENERATED]) {
      const inert = kyvernoText(s);
      expect(hasKyvernoSyntax(inert), JSON.stringify(s)).toBe(false);
      for (const [name, pattern] of Object.entries(KYVERNO_PATTERNS)) {
        expect(pattern.test(inert), `${name} in ${JSON.stringify(inert)}`).toBe(false);
        // Also as Kyverno scans a policy: the JSON of the object holding the string.
        expect(pattern.test(JSON.stringify({ a: inert, b: { c: '}}' } })), name).toBe(false);
      }
      if (!hasKyvernoSyntax(s)) expect(inert).toBe(s);
    }
    expect(kyvernoText('{{{ x }}} $(y)')).toBe('{ { { x }}} $ (y)');
  });

  it('is the whole of what Kyverno reads: every Kyverno pattern match holds {{ or $(', () => {
    for (const s of [...KYVERNO_SYNTAX, ...GENERATED]) {
      const matched = Object.values(KYVERNO_PATTERNS).some((p) => p.test(s));
      if (matched) expect(hasKyvernoSyntax(s), JSON.stringify(s)).toBe(true);
    }
  });

  it('refuses to rewrite CEL that holds Kyverno syntax (a space would change a literal)', () => {
    expect(() => kyvernoInert({ spec: { expression: 'x == "{{ a }}"' } })).toThrow(
      'CEL at spec.expression holds a Kyverno variable or reference',
    );
    expect(kyvernoInert({ images: ['$(x)'] }, (path) => path[0] === 'images')).toEqual({ images: ['$(x)'] });
  });
});

/** Every catalogue policy with hostile parameters, title, description, remediation and namespace globs. */
function hostileConfigs(): PolicyConfig[] {
  const text = HOSTILE_STRINGS.join(' ');
  return catalogueConfigs().map((config) => {
    const params = HOSTILE_PARAMS[config.policy.id];
    const match = config.match ?? config.policy.match;
    return {
      ...config,
      ...(params === undefined ? {} : { params }),
      policy: { ...config.policy, title: text, description: text, remediation: text, category: text },
      match: { ...match, excludedNamespaces: [...KYVERNO_SYNTAX, ...(match.excludedNamespaces ?? [])] },
    };
  });
}

/** Exceptions of every kind whose every string is hostile (images in image exceptions only). */
function hostileExceptions(): PolicyException[] {
  const generated = GENERATED.filter((s) => s.length > 0);
  return [
    HOSTILE_EXCEPTION,
    HOSTILE_RESOURCE_EXCEPTION,
    {
      name: `generated ${generated.slice(0, 20).join('')}`,
      policies: ['*'],
      reason: generated.join(' '),
      match: {
        kinds: ['Pod'],
        namespaces: generated,
        names: generated,
        labels: {
          matchLabels: Object.fromEntries(generated.slice(0, 30).map((s) => [s, s])),
          matchExpressions: [{ key: generated[0] ?? 'x', operator: 'In', values: generated }],
        },
      },
    },
  ];
}

type Visit = (value: string, path: readonly string[]) => void;

function walkStrings(node: unknown, path: string[], visit: Visit): void {
  if (typeof node === 'string') visit(node, path);
  else if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) walkStrings(item, [...path, String(i)], visit);
  } else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      visit(k, [...path, `<key ${k}>`]);
      walkStrings(v, [...path, k], visit);
    }
  }
}

describe('every string of every generated Kyverno document', () => {
  it('holds no Kyverno variable or reference, under hostile parameters, policy text, globs and exceptions', () => {
    const fixtures = hostileObjects().map(({ id, object }) => ({
      name: `denied/${id}`,
      expect: 'denied' as const,
      object,
    }));
    const output = buildKyvernoForTest({
      policies: hostileConfigs(),
      exceptions: hostileExceptions(),
      fixtures: () => fixtures,
      now: NOW,
    });
    expect(output.problems.filter((p) => p.includes('not generated'))).toEqual([]);
    const kinds = new Set<string>();
    let checked = 0;
    const offending: string[] = [];
    for (const [file, content] of output.files) {
      // Test resources are admission objects, data Kyverno never substitutes (the rules hold no variables).
      if (file.endsWith('/resources.yaml')) continue;
      for (const document of parseAllDocuments(content)) {
        const doc = document.toJS() as { apiVersion?: string; kind?: string };
        kinds.add(`${doc.apiVersion}/${doc.kind}`);
        // A CEL PolicyException's images are data compared as written; Kyverno does not substitute CEL documents.
        const rawImages = doc.apiVersion === 'policies.kyverno.io/v1' && doc.kind === 'PolicyException';
        walkStrings(doc, [], (value, path) => {
          if (rawImages && path[0] === 'spec' && path[1] === 'images') return;
          checked++;
          if (hasKyvernoSyntax(value)) offending.push(`${file} ${path.join('.')}: ${value}`);
        });
      }
    }
    expect(offending.slice(0, 10)).toEqual([]);
    expect(checked).toBeGreaterThan(5_000);
    expect([...kinds].sort()).toEqual([
      'cli.kyverno.io/v1alpha1/Test',
      'kustomize.config.k8s.io/v1beta1/Kustomization',
      'kyverno.io/v1/ClusterPolicy',
      'kyverno.io/v2/PolicyException',
      'policies.kyverno.io/v1/PolicyException',
      'policies.kyverno.io/v1/ValidatingPolicy',
    ]);
  });
});
