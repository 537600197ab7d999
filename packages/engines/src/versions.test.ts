import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { enginePath, readPins } from './cache.js';
import { ENGINE_TEST_TIMEOUT_MS } from './hang-guard.js';

// Each built engine reports the version tools/versions.json pins: a wrong module, a lost replace directive or a
// missing version stamp (kube-apiserver reports v0.0.0-master without its ldflags) fails here, not in a
// differential whose disagreements would then be blamed on Palisade.

const pins = readPins();
const versionOf = (tool: 'etcd' | 'kube-apiserver' | 'opa', args: readonly string[]): string =>
  execFileSync(enginePath(tool), args, { encoding: 'utf8', timeout: 60_000 });

describe('engine versions', () => {
  it('kube-apiserver reports the pinned Kubernetes release', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
    expect(versionOf('kube-apiserver', ['--version']).trim()).toBe(
      `Kubernetes ${pins['kube-apiserver'].version}`,
    );
  });

  it('etcd reports the pinned release', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
    expect(versionOf('etcd', ['--version'])).toContain(
      `etcd Version: ${pins.etcd.version.replace(/^v/, '')}\n`,
    );
  });

  it('opa reports the pinned release', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
    expect(versionOf('opa', ['version'])).toContain(`Version: ${pins.opa.version.replace(/^v/, '')}\n`);
  });
});
