import { CEL_EXPRESSION_CODE_POINTS, TargetLimitError } from '@palisade/cel';
import type { Json, PolicyConfig, PolicyException } from '@palisade/core';
import { catalogueConfigs, HOSTILE_STRINGS, restrictedAndHardening, targetInput } from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import { buildVap, vapObjects } from './output.js';
import { VALIDATION_ACTIONS, vapDocuments } from './policy.js';

const NOW = new Date('2026-06-01T00:00:00Z');

const config = (id: string, overrides: Partial<PolicyConfig> = {}): PolicyConfig => {
  const found = restrictedAndHardening().find((c) => c.policy.id === id);
  if (!found) throw new Error(`no policy ${id}`);
  return { ...found, ...overrides };
};

type Spec = {
  matchConstraints: { namespaceSelector?: unknown; objectSelector?: unknown; resourceRules: unknown[] };
  matchConditions?: { name: string; expression: string }[];
  variables: { name: string; expression: string }[];
  validations: { expression: string; messageExpression: string; message: string; reason: string }[];
  failurePolicy: string;
};
const specOf = (c: PolicyConfig, exceptions: PolicyException[] = []): Spec =>
  vapObjects([c], { exceptions, now: NOW })[0]?.policy.spec as Spec;

/**
 * Reads back a CEL literal as celLiteral writes it (null, booleans, numbers, escaped strings, `dyn()`-wrapped list
 * and map members): proof that a parameter value arrives in the policy as data, whatever its characters.
 */
function readCelLiteral(source: string): Json {
  let i = 0;
  const skip = () => {
    while (/\s/.test(source[i] ?? '')) i++;
  };
  const expect_ = (text: string) => {
    skip();
    if (!source.startsWith(text, i)) throw new Error(`expected ${text} at ${i}: ${source.slice(i, i + 20)}`);
    i += text.length;
  };
  const value = (): Json => {
    skip();
    if (source.startsWith('dyn(', i)) {
      i += 4;
      const v = value();
      expect_(')');
      return v;
    }
    for (const [word, v] of [
      ['null', null],
      ['true', true],
      ['false', false],
    ] as const) {
      if (source.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const c = source[i];
    if (c === '"') {
      let out = '';
      i++;
      while (source[i] !== '"') {
        if (i >= source.length) throw new Error('unterminated string');
        if (source[i] === '\n') throw new Error('a line break inside a string literal');
        if (source[i] === '\\') {
          const e = source[i + 1] as string;
          if (e === 'u' || e === 'U') {
            const n = e === 'u' ? 4 : 8;
            out += String.fromCodePoint(Number.parseInt(source.slice(i + 2, i + 2 + n), 16));
            i += 2 + n;
          } else {
            out += ({ '"': '"', '\\': '\\', n: '\n', r: '\r', t: '\t' } as Record<string, string>)[e] ?? '';
            i += 2;
          }
        } else out += source[i++];
      }
      i++;
      return out;
    }
    if (c === '[' || c === '{') {
      i++;
      const list: Json[] = [];
      const map: Record<string, Json> = {};
      skip();
      while (source[i] !== (c === '[' ? ']' : '}')) {
        if (c === '[') list.push(value());
        else {
          const key = value() as string;
          expect_(':');
          map[key] = value();
        }
        skip();
        if (source[i] === ',') i++;
        skip();
      }
      i++;
      return c === '[' ? list : map;
    }
    const number = /^-?[0-9.e+]+/.exec(source.slice(i))?.[0];
    if (!number) throw new Error(`unexpected ${source.slice(i, i + 20)}`);
    i += number.length;
    return Number(number);
  };
  const v = value();
  skip();
  if (i !== source.length) throw new Error(`trailing text: ${source.slice(i)}`);
  return v;
}

describe('the ValidatingAdmissionPolicy target', () => {
  it('is byte-stable and independent of the order of its input', () => {
    const policies = catalogueConfigs();
    const once = buildVap(targetInput({ policies, exceptions: [], now: NOW }));
    const again = buildVap(targetInput({ policies: [...policies].reverse(), exceptions: [], now: NOW }));
    expect([...again.files]).toEqual([...once.files]);
    expect([...once.files.keys()].filter((p) => p.startsWith('disallow-privileged-containers/'))).toEqual([
      'disallow-privileged-containers/binding.yaml',
      'disallow-privileged-containers/kustomization.yaml',
      'disallow-privileged-containers/policy.yaml',
    ]);
    // CEL is laid out in block scalars, never one long quoted line.
    const policy = once.files.get('disallow-privileged-containers/policy.yaml') ?? '';
    expect(policy).toContain('expression: |-\n');
    expect(policy).toContain('palisade.dev/title: ');
    expect(policy).toContain('failurePolicy: Fail');
  });

  it('writes a kustomization per profile naming its policy folders', () => {
    const output = buildVap(targetInput({ policies: restrictedAndHardening(), exceptions: [], now: NOW }));
    const restricted = output.files.get('profiles/restricted/kustomization.yaml') ?? '';
    expect(restricted).toContain('  - ../../disallow-privileged-containers\n');
    expect(restricted).not.toContain('require-probes');
  });

  it('maps enforcement to the binding: Deny, Warn with Audit, Audit; never Deny with Warn', () => {
    for (const enforcement of ['enforce', 'warn', 'audit'] as const) {
      const { binding } = vapDocuments(config('disallow-privileged-containers', { enforcement }));
      const actions = (binding.spec as { validationActions: string[] }).validationActions;
      expect(actions).toEqual(VALIDATION_ACTIONS[enforcement]);
      expect(actions.includes('Deny') && actions.includes('Warn')).toBe(false);
      expect(binding.spec).toEqual({
        policyName: 'disallow-privileged-containers',
        validationActions: actions,
      });
    }
    expect(VALIDATION_ACTIONS).toEqual({ enforce: ['Deny'], warn: ['Warn', 'Audit'], audit: ['Audit'] });
  });

  it('matches exactly the Pod kinds, CREATE and UPDATE, without subresources', () => {
    const rules = specOf(config('disallow-privileged-containers')).matchConstraints.resourceRules;
    expect(rules).toEqual([
      {
        apiGroups: [''],
        apiVersions: ['v1'],
        operations: ['CREATE', 'UPDATE'],
        resources: ['pods', 'replicationcontrollers'],
      },
      {
        apiGroups: ['apps'],
        apiVersions: ['v1'],
        operations: ['CREATE', 'UPDATE'],
        resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'],
      },
      {
        apiGroups: ['batch'],
        apiVersions: ['v1'],
        operations: ['CREATE', 'UPDATE'],
        resources: ['cronjobs', 'jobs'],
      },
    ]);
  });

  it('selects exact namespaces by their name label, and globs by a match condition', () => {
    const base = config('disallow-privileged-containers');
    const exact = specOf({
      ...base,
      match: { kinds: ['Pod'], namespaces: ['shop', 'apps'], excludedNamespaces: ['kube-system'] },
    });
    expect(exact.matchConstraints.namespaceSelector).toEqual({
      matchExpressions: [
        { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['apps', 'shop'] },
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] },
      ],
    });
    expect(exact.matchConditions ?? []).toEqual([]);
    const globs = specOf({
      ...base,
      match: { kinds: ['Pod'], namespaces: ['team-*', 'shop'], excludedNamespaces: ['kube-*'] },
    });
    expect(globs.matchConstraints.namespaceSelector).toBeUndefined();
    expect(globs.matchConditions?.map((c) => c.name)).toEqual(['namespaces', 'excluded-namespaces']);
    expect(globs.matchConditions?.[0]?.expression).toContain('"(?s)^(?:team-.*|shop)$"');
    const labels = specOf({
      ...base,
      match: { kinds: ['Pod'], labelSelector: { matchLabels: { tier: 'web' } } },
    });
    expect(labels.matchConstraints.objectSelector).toEqual({ matchLabels: { tier: 'web' } });
  });

  it('binds hostile parameter values as CEL literals that read back as the values', () => {
    const registries = [
      ...HOSTILE_STRINGS,
      'quote"back\\slash',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder is the hostile input
      '${x}',
      '{{ .Values }}',
      'line\nbreak',
      'é🙂\u2028',
    ];
    const spec = specOf(config('restrict-image-registries', { params: { registries } }));
    const params = spec.variables.find((v) => v.name === 'params');
    expect(readCelLiteral(params?.expression ?? '')).toEqual({ registries });
    // The match condition of `when`, where variables cannot be read, holds the same literal (none here: no `when`).
    expect(spec.matchConditions ?? []).toEqual([]);
  });

  it('keeps the static message on one line and the message expression under the API server limits', () => {
    const text = 'Title\nwith "quotes"\r\nand lines';
    const base = config('disallow-privileged-containers');
    const spec = specOf({ ...base, policy: { ...base.policy, title: text, remediation: 'fix\nit' } });
    const [validation] = spec.validations;
    expect(validation?.message).toBe('Title with "quotes" and lines: fix it');
    expect(validation?.reason).toBe('Forbidden');
    expect(validation?.messageExpression).toContain('bytes(variables.message).size() <= 5120');
    expect(spec.variables.at(-1)?.name).toBe('message');
  });

  it('compiles live exceptions into match conditions and image lists, and reports what VAP cannot expire', () => {
    const exceptions: PolicyException[] = [
      {
        name: 'legacy',
        policies: ['disallow-privileged-containers'],
        reason: 'r',
        match: { namespaces: ['legacy'] },
      },
      {
        name: 'debug',
        policies: ['*'],
        reason: 'r',
        expires: '2027-01-31',
        match: { namespaces: ['tools'], images: ['debug.example.com/*'] },
      },
      {
        name: 'old',
        policies: ['disallow-privileged-containers'],
        reason: 'r',
        expires: '2026-01-01',
        match: { names: ['x'] },
      },
      { name: 'elsewhere', policies: ['no-such-policy'], reason: 'r', match: { names: ['x'] } },
    ];
    const output = buildVap(
      targetInput({ policies: [config('disallow-privileged-containers')], exceptions, now: NOW }),
    );
    expect(output.notes).toEqual([
      'exception debug expires 2027-01-31: a ValidatingAdmissionPolicy cannot expire it (admission CEL has no clock), so it is compiled into disallow-privileged-containers; rebuild after 2027-01-31 to remove it',
      'exception elsewhere names policy no-such-policy, which is not generated',
      'exception old expired (2026-01-01): not generated',
    ]);
    const spec = specOf(config('disallow-privileged-containers'), exceptions);
    expect(spec.matchConditions?.map((c) => c.name)).toEqual(['exception-legacy']);
    const policy = output.files.get('disallow-privileged-containers/policy.yaml') ?? '';
    expect(policy).toContain('palisade.dev/exceptions: debug (expires 2027-01-31), legacy');
    expect(policy).toContain('"debug.example.com/*"');
    expect(policy).not.toContain('"x"');
  });

  it('fails the build loudly when a parameter is over the CEL expression limit', () => {
    const huge = config('restrict-image-registries', {
      params: { registries: ['r'.repeat(CEL_EXPRESSION_CODE_POINTS + 10)] },
    });
    const build = () => buildVap(targetInput({ policies: [huge], exceptions: [], now: NOW }));
    expect(build).toThrow(TargetLimitError);
    expect(build).toThrow(
      /^policy restrict-image-registries: a parameter value as a CEL literal is 100,012 characters, over the limit of 100,000/,
    );
    // Many values are chunked into variables, each under the limit.
    const many = config('restrict-image-registries', {
      params: { registries: Array.from({ length: 8000 }, (_, i) => `registry-${i}.example.com/`) },
    });
    const spec = specOf(many);
    expect(spec.variables.filter((v) => v.name.startsWith('params_')).length).toBeGreaterThan(1);
    for (const v of spec.variables)
      expect([...v.expression].length).toBeLessThanOrEqual(CEL_EXPRESSION_CODE_POINTS);
  });

  it('fails the build when a policy name is over the Kubernetes name limit', () => {
    const base = config('disallow-privileged-containers');
    const long = { ...base, policy: { ...base.policy, id: `p-${'x'.repeat(260)}` } };
    expect(() => buildVap(targetInput({ policies: [long], exceptions: [], now: NOW }))).toThrow(
      /the ValidatingAdmissionPolicy name is 262 characters, over the limit of 253/,
    );
  });
});
