import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['kernels/test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    // Each test file opens its own WebGPU device on the software GPU; two at a time fit 2 cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
