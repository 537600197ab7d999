import { stringify } from 'yaml';

/** Byte-stable YAML: keys sorted, no line folding, one trailing newline. */
export function toYaml(value: unknown): string {
  return stringify(value, { sortMapEntries: true, lineWidth: 0 });
}

export function toYamlDocuments(values: readonly unknown[]): string {
  return values.map(toYaml).join('---\n');
}
