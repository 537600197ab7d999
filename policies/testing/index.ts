export { CONTROLLER_KINDS, type Fixture, loadFixtureParams, loadFixtures, wrapPodInController } from './fixtures.js';
export { describeFixtures } from './describe-fixtures.js';
export { type CorpusObject, fixtureCorpus, generatedCorpus } from './corpus.js';
