/**
 * The tuning cache in Node: one JSON file, `$XDG_CACHE_HOME/mini/matmul-tune.json` (else
 * `~/.cache/mini/matmul-tune.json`), or the path in MINI_TUNE_CACHE. Written to a temporary name
 * and renamed, so a crash never leaves half a file; a file that is not a cache is ignored with a
 * warning (and replaced at the next save). Selected by the `node` condition of `#tune-store`.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { envVar, warn } from '../env.ts';
import { parseTuneFile, type TuneFile, type TuneStore } from './cache.ts';

/** The cache file's path: MINI_TUNE_CACHE, else under XDG_CACHE_HOME or ~/.cache. */
export function defaultTuneCachePath(): string {
  const explicit = envVar('MINI_TUNE_CACHE');
  if (explicit) return explicit;
  return join(envVar('XDG_CACHE_HOME') || join(homedir(), '.cache'), 'mini', 'matmul-tune.json');
}

/** The cache kept in the JSON file at `path`. */
export function fileTuneStore(path: string): TuneStore {
  return {
    where: path,
    load() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        warn(`mini: cannot read the matmul tuning cache ${path} (${(e as Error).message}); tuning without it`);
        return null;
      }
      try {
        return parseTuneFile(text);
      } catch (e) {
        warn(`mini: ignoring the matmul tuning cache ${path}, which is not one (${(e as Error).message}); it is rewritten at the next tuning`);
        return null;
      }
    },
    save(file: TuneFile) {
      mkdirSync(dirname(path), { recursive: true });
      const temp = `${path}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify(file, null, 1)}\n`);
      renameSync(temp, path);
    },
  };
}

/** The store a Node process uses. */
export function defaultTuneStore(): TuneStore {
  return fileTuneStore(defaultTuneCachePath());
}

/** Nothing to read ahead in Node: the file is read when the tuner starts (the page's store reads IndexedDB here). */
export async function prepareTuneStore(): Promise<void> {}

/** Node's saves are synchronous: nothing is pending. */
export async function tuneStoreWritten(): Promise<void> {}
