// Runs an example program (`pnpm example:NAME`): from the JavaScript `pnpm build` emitted when that
// build is current, else from its TypeScript sources with tsx. Plain JavaScript, because deciding
// must not cost what it saves (tsx's start-up and transpiling, about a second here).
//
// Usage: node --conditions=mini-built scripts/run-example.mjs examples/NAME/NAME.ts [flags]
//
// The `mini-built` condition points the workspace packages' exports at their dist/ (see their
// package.json); without it they resolve to src/*.ts. The build is current when, in the example's
// project and every project it references (tsconfig.build.json), no input is newer than that
// project's .tsbuildinfo: make's rule, on modification times. A stale build is never run: the
// sources are, with a note on stderr saying why start-up is slower.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const BUILD_CONFIG = 'tsconfig.build.json';

/** The files under `path` (a file, or a folder walked), with their modification times. */
function* inputs(path) {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return;
  if (!stats.isDirectory()) {
    yield { path, mtimeMs: stats.mtimeMs };
    return;
  }
  for (const entry of readdirSync(path)) yield* inputs(join(path, entry));
}

/** The build configuration a tsconfig.build.json names by `extends`, and the file itself. */
function configFiles(file) {
  const config = JSON.parse(readFileSync(file, 'utf8'));
  const base = config.extends ? configFiles(resolve(dirname(file), config.extends)).files : [];
  return { config, files: [file, ...base] };
}

/**
 * Why the build of the project at `configFile` (a tsconfig.build.json) and of the projects it
 * references is not current, or null when it is: the first input found newer than its project's
 * .tsbuildinfo, or the project never built.
 */
export function staleReason(configFile, seen = new Set()) {
  if (seen.has(configFile)) return null;
  seen.add(configFile);
  const dir = dirname(configFile);
  const { config, files } = configFiles(configFile);
  const info = statSync(join(dir, config.compilerOptions.tsBuildInfoFile), { throwIfNoEntry: false });
  if (!info) return `${relative(process.cwd(), dir) || '.'} is not built`;
  if (config.include.some((p) => /[*?]/.test(p))) throw new Error(`${configFile}: include has a glob, which staleReason does not expand`);
  const sources = [...files, ...config.include.map((p) => join(dir, p))];
  for (const source of sources) {
    for (const input of inputs(source)) {
      if (input.mtimeMs > info.mtimeMs) return `${relative(process.cwd(), input.path)} is newer than its build`;
    }
  }
  for (const reference of config.references ?? []) {
    const why = staleReason(resolve(dir, reference.path), seen);
    if (why) return why;
  }
  return null;
}

/** Where `pnpm build` puts an example's entry: examples/NAME/dist/NAME.js for examples/NAME/NAME.ts. */
export function builtEntry(entry) {
  return join(dirname(entry), 'dist', relative(dirname(entry), entry).replace(/\.ts$/, '.js'));
}

/** Runs the entry's sources with tsx in a child process, with the same flags; resolves to its exit status. */
async function runSources(entry, args) {
  const { spawn } = await import('node:child_process'); // only on this path: the built one starts without it
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { stdio: 'inherit' });
  // Ctrl-C reaches the child too (same process group); it decides how to stop, and we wait for it.
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', () => {});
  process.on('SIGTERM', forward);
  return new Promise((done) => child.on('close', (code, signal) => done(signal ? 128 + constants.signals[signal] : code)));
}

async function main() {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry || !existsSync(entry)) throw new Error(`usage: run-example.mjs examples/NAME/NAME.ts [flags] (found: ${entry ?? 'nothing'})`);
  if (!process.execArgv.includes('--conditions=mini-built')) throw new Error('run-example.mjs: start it with node --conditions=mini-built, or the built packages resolve to their sources');
  const why = staleReason(resolve(dirname(entry), BUILD_CONFIG));
  if (why === null) {
    const js = builtEntry(entry);
    process.argv.splice(1, 2, resolve(js)); // the program reads its flags from process.argv.slice(2)
    await import(pathToFileURL(resolve(js)).href);
    return;
  }
  if (!why.endsWith('is not built')) process.stderr.write(`note: running the TypeScript sources (${why}; \`pnpm build\` makes start-up faster)\n`);
  process.exitCode = await runSources(entry, args);
}

if (process.argv[1] === import.meta.filename) await main();
