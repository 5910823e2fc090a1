import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['kernels/test/**/*.test.ts', 'scripts/test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    // test/browser/, test/e2e/ and the web example's tests run in Chromium: vitest.browser.config.ts, `pnpm test:browser`.
    exclude: [...configDefaults.exclude, '**/test/browser/**', '**/test/e2e/**', 'examples/threenet-web/**'],
    // Each test file opens its own WebGPU device on the software GPU; two at a time fit 2 cores.
    pool: 'forks',
    maxWorkers: 2,
    // The matmul tuner is off in tests, for every test file and the processes they start: kernel
    // choices stay the heuristics' (deterministic, and no background tuning adds dispatches or
    // writes a cache file). The tuner's own tests turn it on through its API.
    env: { MINI_TUNE: 'off' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
