/**
 * `pnpm test:browser`: tests that run in a web page, in headless Chromium driven by Playwright
 * (scripts/chromium.ts). With no GPU its WebGPU adapter is SwiftShader (subgroups of 4, ~0.9 s
 * per ThreeNet step), so the timeouts are generous and the suite small. Two projects:
 * - page: test files run inside the page, with the `exports` conditions of a browser build (no
 *   Node built-in, no shim): packages' test/browser/ folders and a selection of the ops suite;
 * - e2e: Node tests that serve examples/threenet-web with Vite and drive it in Chromium.
 */
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { CHROMIUM, CHROMIUM_ARGS } from './scripts/chromium.ts';
import { gzipAsIs } from './scripts/vite-gzip-as-is.ts';

export default defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 300_000,
    projects: [
      {
        extends: true,
        // the IDX fixtures as a static host serves them, not re-encoded (see the plugin)
        plugins: [gzipAsIs(import.meta.dirname)],
        test: {
          name: 'page',
          setupFiles: ['packages/tensor/test/browser/setup.ts'],
          include: [
            'packages/*/test/browser/**/*.test.ts',
            // a selection of the ops suite, run unchanged in the page: elementwise (every row of the table;
            // on SwiftShader sin and cos to WGSL's accuracy, see the test), reductions,
            // softmax, losses, views, and matmul (every family and every candidate that runs on the
            // page's adapter) on odd shapes against the cpu reference, and the submit's fusions
            'packages/tensor/test/{elementwise,elementwise-table,reduce,reduce-more,softmax-nll,cross-entropy,views,matmul,matmul-candidates,submit-fusion}.test.ts',
          ],
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        extends: true,
        // the Node side with the tuner off, as in the Node suite; the page runs as users get it
        test: { name: 'e2e', include: ['examples/threenet-web/test/**/*.test.ts', 'packages/*/test/e2e/**/*.test.ts'], environment: 'node', pool: 'forks', env: { MINI_TUNE: 'off' } },
      },
    ],
  },
});
