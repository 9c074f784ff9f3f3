import { defineConfig } from 'vitest/config';

// The Temporal SDK's native bridge misbehaves in worker threads, so every test file runs in a forked process.
export default defineConfig({
  test: {
    pool: 'forks',
    // One file at a time: the Temporal servers, workers and browser of one file get both cores,
    // so no workflow task is starved past the SDK's 5 s deadlock detector on a 2-core machine.
    fileParallelism: false,
    setupFiles: ['test/support/quiet-runtime.ts'],
    reporters: ['default'],
    projects: [
      // Pure tests with a short timeout (vitest.domain.config.ts).
      './vitest.domain.config.ts',
      {
        extends: true,
        test: {
          name: 'system',
          include: ['test/**/*.test.ts'],
          exclude: ['test/domain/**', '**/node_modules/**'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
