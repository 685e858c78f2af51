import { defineConfig } from 'vitest/config';

/**
 * Suites that drive real packet capture, real agents and a real browser measure timing on this
 * machine's two cores: they run after everything else, one file at a time, so a CPU-starved
 * tcpdump or Chromium does not turn into a flaky failure.
 */
const REAL_WORLD = [
  'apps/agent/test/**/*.test.ts',
  'apps/extension/test/**/*.test.ts',
  'apps/web/test/**/*.test.ts',
  'packages/capture/src/real-capture.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Servers started by tests do not build the dashboard; browser tests build it once themselves.
    env: { TOKTRA_WEB_BUILD: '0' },
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-report.json' }]] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit-and-service',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
          exclude: [...REAL_WORLD, '**/node_modules/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'real-world',
          include: REAL_WORLD,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
