/**
 * The ThreeNet page: `pnpm example:threenet-web` serves it (after make-sample.ts wrote its data
 * into public/sample/), `pnpm build` builds it into dist/.
 */
import { defineConfig } from 'vite';
import { gzipAsIs } from '../../scripts/vite-gzip-as-is.ts';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [gzipAsIs()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
});
