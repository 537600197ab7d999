export { type CorpusObject, fixtureCorpus, generatedCorpus, policiesDir } from './corpus.js';
export { describeFixtures } from './describe-fixtures.js';
export {
  CONTROLLER_KINDS,
  type Fixture,
  loadFixtureParams,
  loadFixtures,
  wrapPodInController,
} from './fixtures.js';
