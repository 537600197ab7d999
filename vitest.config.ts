import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Tests run on sources: the `@palisade/source` export condition points every workspace package at `src/`.
export default defineConfig({
  resolve: { conditions: ['@palisade/source'] },
  ssr: { resolve: { conditions: ['@palisade/source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'policies/**/*.test.ts',
      'examples/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Unit tests keep a short timeout; tests that run a real engine set ENGINE_TEST_TIMEOUT_MS (@palisade/engines).
    testTimeout: 60_000,
    // vitest's default is one worker fewer than the cores: one file at a time on a 2-core machine, while most engine
    // tests spend their time waiting on an engine process. At least two files at a time keep both cores busy
    // (docs/testing.md); larger machines keep vitest's default.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
