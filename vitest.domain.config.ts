import { defineProject } from 'vitest/config';

// The pure core's tests: no Temporal server, no network, milliseconds each. A short timeout, so a
// test that starts waiting on something fails fast; used by `npm test` (project "domain") and by
// the mutation run (stryker.config.json), which must not start the servers of the other tests.
export default defineProject({
  test: {
    name: 'domain',
    pool: 'forks',
    include: ['test/domain/**/*.test.ts'],
    testTimeout: 10_000,
    hookTimeout: 10_000,
  },
});
