/**
 * The bench's two pages (mini.html, tfjs.html), built by bench/browser-bench.ts into
 * out/bench-browser/ and served from there, with the demo's sample (examples/threenet-web/public)
 * as their data.
 */
import { defineConfig } from 'vite';
import { gzipAsIs } from '../../scripts/vite-gzip-as-is.ts';

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  publicDir: `${here}/../../examples/threenet-web/public`,
  plugins: [gzipAsIs()],
  logLevel: 'warn',
  build: {
    outDir: `${here}/../../out/bench-browser`,
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    rollupOptions: { input: { mini: `${here}/mini.html`, tfjs: `${here}/tfjs.html` } },
  },
});
