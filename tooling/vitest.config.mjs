// Shared vitest settings: tests live in test/ beside src/, run in forked processes so a native
// crash in one file cannot take the runner down, and import sibling packages through their built
// `exports` (the way a user would).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** @param {{ testTimeout?: number }} [opts] */
export function packageTestConfig(opts = {}) {
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      pool: 'forks',
      testTimeout: opts.testTimeout ?? 30_000,
      hookTimeout: 120_000,
      // Test data is fetched and every requirement checked once, before any test module loads.
      globalSetup: [fileURLToPath(new URL('./vitest-global-setup.mjs', import.meta.url))],
      // The JSON report (with each skipped test's reason in its meta) feeds the closing line that
      // scripts/test-summary.mjs prints.
      reporters: ['default', 'json'],
      outputFile: { json: '.test-results.json' },
    },
  });
}
