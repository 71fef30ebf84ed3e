import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests import sibling packages from source, so a change is tested without a rebuild; the
// end-to-end tests in test/ run the built daemons as processes (npm test builds first).
export default defineConfig({
  resolve: {
    // Exact matches: '@locker/lockboard/testing' must not be read as '@locker/lockboard' + '/testing'.
    alias: [
      { find: /^@locker\/protocol$/, replacement: src('./packages/protocol/src/index.ts') },
      { find: /^@locker\/lockboard$/, replacement: src('./packages/lockboard/src/index.ts') },
      { find: /^@locker\/lockboard\/testing$/, replacement: src('./packages/lockboard/src/testing.ts') },
    ],
  },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'edge/test/**/*.test.ts',
      'cloud/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    // The JSON report is what .ci/run reads to print its 'N passed, N failed' line.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
