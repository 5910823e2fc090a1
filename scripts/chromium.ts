/**
 * How the browser tests start Chromium: Debian's chromium (scripts/setup.sh installs it;
 * MINI_CHROMIUM names another binary), headless, with WebGPU.
 */

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
