import { toManifestYaml, toManifestYamlStream } from '@palisade/yaml';

/**
 * Byte-stable YAML that reads back as itself under YAML 1.1 (the Kyverno CLI, kubectl) and 1.2: keys in the order
 * the objects are built in, which is deterministic, and `yes`, `on`, `0644`-like strings quoted.
 */
export const toYaml = (value: unknown): string => toManifestYaml(value);

export const toYamlDocuments = (values: readonly unknown[]): string => toManifestYamlStream(values);
