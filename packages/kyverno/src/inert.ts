/**
 * Kyverno (v1.19.0) reads two syntaxes in the text of a policy before any CEL runs (pkg/engine/variables/vars.go,
 * pkg/engine/variables/regex/vars.go):
 * - `{{ … }}`: a variable (a JMESPath query, `{{@}}`, `{{- … }}`, `{{ element… }}`), substituted in every string
 *   and map key of a rule; `\{{` is its escape, itself rewritten to `{{`. The validation of a ClusterPolicy also
 *   scans the JSON of the whole policy, metadata included, for it (pkg/validation/policy/validate.go
 *   `hasVariables`) and refuses user variables in background mode (pkg/validation/policy/background.go).
 * - `$( … )`: a reference to another field of the rule, optionally with an operator (`$(<=./../x)`), resolved in
 *   every string and key of a rule; `\$(` is its escape, itself rewritten.
 * A policy whose text does not resolve is skipped ("policy contains invalid variables"): it stops enforcing.
 *
 * Both start with a two-character sequence, so a string holding neither `{{` nor `$(` is inert (also when Kyverno
 * scans the policy's JSON: JSON puts a `"` after every string, so a `{{` cannot start across two strings).
 */
const KYVERNO_SEQUENCE = /\{\{|\$\(/;

/** Whether Kyverno could read a variable or reference in `text`. */
export const hasKyvernoSyntax = (text: string): boolean => KYVERNO_SEQUENCE.test(text);

/**
 * Text (names, annotations, messages, globs) with a space put inside every `{{` and `$(`, which Kyverno never
 * removes: `\{{` and `\$(` would be rewritten into the sequences they escape wherever Kyverno substitutes, and
 * shown with the backslash everywhere else. For a human reader the text says the same. For a name, namespace,
 * label or kind glob the match is unchanged too: no name, namespace, label or kind Kubernetes accepts holds `{`,
 * `$` or `(`, so a glob holding them matches nothing before and after.
 */
export function kyvernoText(text: string): string {
  return text.replace(/\{(?=\{)/g, '{ ').replace(/\$(?=\()/g, '$ ');
}

/** Fields holding CEL: its data is escaped in the literals (`celString`), and its code holds neither sequence. */
const CEL_FIELDS = new Set(['expression', 'messageExpression']);

/**
 * A Kyverno document with every string and map key made inert: the one point where Palisade's strings enter Kyverno
 * output. CEL is never rewritten (a space inside a literal would change its value): CEL that holds a Kyverno
 * sequence is a bug of the CEL compiler, and building fails. `keepRaw` names the fields of documents Kyverno never
 * substitutes whose strings are data compared as written (a CEL PolicyException's `images`).
 */
export function kyvernoInert<T>(document: T, keepRaw: (path: readonly string[]) => boolean = () => false): T {
  const walk = (node: unknown, path: string[]): unknown => {
    if (typeof node === 'string') {
      if (keepRaw(path)) return node;
      const key = path[path.length - 1] ?? '';
      if (CEL_FIELDS.has(key)) {
        if (hasKyvernoSyntax(node))
          throw new Error(`CEL at ${path.join('.')} holds a Kyverno variable or reference: ${node}`);
        return node;
      }
      return kyvernoText(node);
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, String(i)]));
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(
        Object.entries(node).map(([k, v]) => [kyvernoText(k), walk(v, [...path, k])]),
      );
    }
    return node;
  };
  return walk(document, []) as T;
}
