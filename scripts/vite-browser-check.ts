/**
 * Bundles one entry for the browser with Vite, as a web app would, and fails when the bundle
 * needed a Node built-in: Vite replaces each one it meets in a browser build by an empty
 * `__vite-browser-external` module (and warns), so any such module in the output is a failure, and
 * so is a bare reference to Node's `process` global (a page has none: it would throw when run).
 * Usage: tsx scripts/vite-browser-check.ts ROOT ENTRY   (packages resolve from ROOT/node_modules)
 */
import { resolve } from 'node:path';
import { build, type Plugin } from 'vite';

const [root, entry] = process.argv.slice(2);
if (!root || !entry) throw new Error('usage: vite-browser-check.ts ROOT ENTRY');

const externalized = new Set<string>();
const warnings: string[] = [];
const collect: Plugin = {
  name: 'collect-browser-externals',
  generateBundle(_, bundle) {
    for (const output of Object.values(bundle)) {
      if (output.type !== 'chunk') continue;
      for (const id of Object.keys(output.modules)) if (id.includes('__vite-browser-external')) externalized.add(id);
    }
  },
};

const result = await build({
  root,
  configFile: false,
  logLevel: 'silent',
  plugins: [collect],
  build: {
    outDir: resolve(root, 'dist-browser'),
    emptyOutDir: true,
    minify: false,
    rollupOptions: {
      input: resolve(root, entry),
      preserveEntrySignatures: 'exports-only',
      onwarn: (warning) => void warnings.push(warning.message),
    },
  },
});
const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => ('output' in r ? r.output : []));
const bareProcess = /(?<![\w.$])process\.\w+/g;
const withoutComments = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
const processUses = outputs.flatMap((o) =>
  o.type === 'chunk' ? [...new Set(withoutComments(o.code).match(bareProcess))].map((use) => `${o.fileName}: ${use}`) : [],
);
const bytes = outputs.reduce((n, o) => n + (o.type === 'chunk' ? o.code.length : 0), 0);
const nodeWarnings = warnings.filter((w) => /externalized for browser compatibility|node:/.test(w));
if (externalized.size > 0 || nodeWarnings.length > 0) {
  console.error(`Vite's browser build of ${entry} needed Node built-ins:\n  ${[...externalized, ...nodeWarnings].join('\n  ')}`);
  process.exit(1);
}
if (processUses.length > 0) {
  console.error(`Vite's browser build of ${entry} refers to Node's process global, which a page lacks:\n  ${processUses.join('\n  ')}`);
  process.exit(1);
}
console.log(`vite browser build of ${entry}: ${outputs.length} chunk(s), ${(bytes / 1024).toFixed(0)} kB, no Node built-in externalized, no process global`);
