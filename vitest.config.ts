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
    testTimeout: 60_000,
  },
});
