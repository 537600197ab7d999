import type { PolicyException } from '@palisade/core';

/**
 * Strings that would break generated code if a parameter were ever spliced into source: quotes and escapes of
 * Rego, CEL and YAML, line breaks, Rego rules and CEL expressions, glob and regex metacharacters, template syntax.
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
];

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
