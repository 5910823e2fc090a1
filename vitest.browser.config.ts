/**
 * `pnpm test:browser`: tests that run in a web page, in headless Chromium driven by Playwright.
 * The browser is Debian's chromium (scripts/setup.sh installs it; MINI_CHROMIUM names another);
 * with no GPU its WebGPU adapter is SwiftShader (subgroups of 4, ~0.9 s per ThreeNet step), so
 * the timeouts are generous and the suite small. The page gets the package `exports` conditions
 * of a browser build: no Node built-in, no shim.
 */
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { gzipAsIs } from './scripts/vite-gzip-as-is.ts';

/** Chromium itself, not Debian's /usr/bin/chromium wrapper script. */
export const CHROMIUM = process.env.MINI_CHROMIUM ?? '/usr/lib/chromium/chromium';

/**
 * WebGPU without a GPU (SwiftShader), as root, and no calls out of this machine: the network is
 * closed, and Chromium's background services would flood it. Playwright gives each launch a
 * fresh profile directory.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export default defineConfig({
  // the IDX fixtures as a static host serves them, not re-encoded (see the plugin)
  plugins: [gzipAsIs(import.meta.dirname)],
  test: {
    include: [
      'packages/*/test/browser/**/*.test.ts',
      // a selection of the ops suite, run unchanged in the page: elementwise, reductions,
      // softmax, losses and views on odd shapes against the cpu reference
      'packages/tensor/test/{elementwise,reduce,reduce-more,softmax-nll,cross-entropy,views}.test.ts',
    ],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
