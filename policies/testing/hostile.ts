import type { PolicyException } from '@palisade/core';
import fc from 'fast-check';

/**
 * What Kyverno (v1.19.0) substitutes in the text of a policy before any CEL runs (pkg/engine/variables/regex/vars.go):
 * `{{ … }}` variables (JMESPath, `{{@}}`, `{{- … }}`, `{{ element }}`, user variables refused in background mode)
 * and their escape `\{{`, `$( … )` references to other fields of the rule (with operators) and their escape `\$(`.
 */
export const KYVERNO_SYNTAX: readonly string[] = [
  '{{ request.object.metadata.name }}',
  '{{request.userInfo.username}}',
  '{{@}}',
  '{{- request.object }}',
  '{{ element.name }}',
  '{{ elementIndex }}',
  '{{ {"a": `1`} }}',
  '{{{ x }}}',
  '\\{{ x }}',
  '$(',
  '$()',
  '$(request.object)',
  '$(./../name)',
  '$(<=./../x)',
  '\\$(request.object)',
  'x$(y)',
];

/**
 * Strings that would break generated code if a parameter were ever spliced into source: quotes and escapes of
 * Rego, CEL and YAML, line breaks, Rego rules and CEL expressions, glob and regex metacharacters, template syntax
 * (Kyverno's among them).
 */
export const HOSTILE_STRINGS: readonly string[] = [
  '"',
  "'",
  '\\',
  '\\"',
  '\n',
  'a\nb',
  '\r\n',
  '"} violation contains {"msg": "x"} if { true',
  'x" || true || "',
  "') || true || ('",
  '`) || true || (`',
  'input.parameters',
  'variables.params',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder is the hostile input
  '${x}',
  '{{ .Values.x }}',
  '.*',
  '*',
  '?',
  '[',
  '(?i)a',
  'a|b',
  '^$',
  '# comment',
  '- item',
  'key: value',
  '&anchor',
  '!!str',
  'yes',
  '~',
  '\u2028',
  'é🙂',
  ...KYVERNO_SYNTAX,
];

/**
 * Pieces of the syntaxes above, glued at random by `hostileStrings`. No line break: HOSTILE_STRINGS has those, and
 * the manifest YAML writer refuses a line ending in a space (it throws rather than write YAML that reads back
 * otherwise), which is not what these strings test.
 */
const FRAGMENTS = [
  '{',
  '}',
  '{{',
  '}}',
  '$',
  '(',
  ')',
  '$(',
  '\\',
  '"',
  '@',
  '-',
  ' ',
  'x',
  'request.object',
  '.',
];

/** `count` strings glued from fragments of every syntax (seeded, so a failure reproduces). */
export function hostileStrings(count: number, seed: number): string[] {
  const fragment = fc.constantFrom(...FRAGMENTS);
  return fc.sample(
    fc.array(fragment, { maxLength: 8 }).map((parts) => parts.join('')),
    { numRuns: count, seed },
  );
}

/** Parameters of every policy that takes strings, each holding every hostile string and one sane value. */
export const HOSTILE_PARAMS: Record<string, unknown> = {
  'restrict-image-registries': { registries: [...HOSTILE_STRINGS, 'registry.example.com/'] },
  'require-runtime-class': { runtimeClasses: [...HOSTILE_STRINGS, 'gvisor'] },
  'restrict-service-external-ips': { allowedIPs: [...HOSTILE_STRINGS, '203.0.113.10'] },
  // require-requests-limits takes enums only: zod rejects any other string before generation.
};

/** An image exception whose globs (data for both engines) and name/reason are hostile. */
export const HOSTILE_EXCEPTION: PolicyException = {
  name: 'hostile "name"\n# not a comment',
  policies: ['*'],
  reason: 'reason: with "quotes" and\nnewlines',
  match: { images: [...HOSTILE_STRINGS, 'nginx:*'] },
};

/**
 * A resource exception (no images: in Kyverno a kyverno.io/v2 PolicyException too) whose name, reason and namespace
 * and name globs are Kyverno syntax. Its globs match no object: every name and namespace Kubernetes accepts is free
 * of `{`, `$` and `(`.
 */
export const HOSTILE_RESOURCE_EXCEPTION: PolicyException = {
  name: 'hostile {{ request.object }} $(request.object)',
  policies: ['*'],
  reason: '{{request.userInfo.username}} $(./../name) \\{{ x }}',
  match: { namespaces: [...KYVERNO_SYNTAX], names: [...KYVERNO_SYNTAX] },
};

/** Objects that put hostile strings where parameters are compared (images, runtime classes, external IPs). */
export function hostileObjects(): { id: string; object: Record<string, unknown> }[] {
  return HOSTILE_STRINGS.flatMap((s, i) => [
    {
      id: `hostile-pod-${i}`,
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'shop' },
        spec: {
          runtimeClassName: s,
          containers: [
            { name: 'exact', image: s },
            { name: 'prefixed', image: `${s}app:1.0` },
          ],
        },
      },
    },
    {
      id: `hostile-service-${i}`,
      object: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 's', namespace: 'shop' },
        spec: { externalIPs: [s, '203.0.113.10'] },
      },
    },
  ]);
}
