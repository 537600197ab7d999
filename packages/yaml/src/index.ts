export { toManifestYaml, toManifestYamlStream } from './manifest-yaml.js';
export {
  FastPathUnsupported,
  fastSchema,
  plainKeyName,
  resolvePlainScalar,
  yamlOptions,
} from './yaml-schema.js';
