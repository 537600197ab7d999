/**
 * How long a test that runs a real engine (gator, opa, kyverno, the PSA oracle) may take before vitest calls it
 * hung. It is a hang guard, not a speed check: on 2 cores shared with other work one engine test has taken over
 * twice its idle time, so the bound is generous. Every engine-running test uses this one value, never its own
 * number; PALISADE_ENGINE_TEST_TIMEOUT_MS raises it (the soak command does, for its larger corpora).
 */
export const ENGINE_TEST_TIMEOUT_MS = engineTestTimeoutMs(process.env);

export function engineTestTimeoutMs(env: NodeJS.ProcessEnv): number {
  const fromEnv = Number(env.PALISADE_ENGINE_TEST_TIMEOUT_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 30 * 60_000;
}
