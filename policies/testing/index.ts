export {
  CONTROLLER_KINDS,
  type Fixture,
  type FixtureSet,
  loadFixtureParams,
  loadFixtureSets,
  loadFixtures,
  wrapPodInController,
} from '../fixtures.js';
export { type CorpusObject, fixtureCorpus, generatedCorpus, policiesDir } from './corpus.js';
export { describeFixtures } from './describe-fixtures.js';
export { EXCEPTION_FORMS, variedForExceptions } from './exception-forms.js';
export {
  HOSTILE_EXCEPTION,
  HOSTILE_PARAMS,
  HOSTILE_RESOURCE_EXCEPTION,
  HOSTILE_STRINGS,
  hostileObjects,
  hostileStrings,
  KYVERNO_SYNTAX,
} from './hostile.js';
