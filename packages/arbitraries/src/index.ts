export { CAPABILITIES, podArbitrary, podSpecArbitrary, SYSCTLS, VOLUME_SOURCES } from './pod.js';
