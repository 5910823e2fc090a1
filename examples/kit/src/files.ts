import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './args.ts';

/** Writes to a temp name, then renames: a crash never leaves a half-written file. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** A failed read or write of a file (ENOSPC, EROFS, EISDIR, ...): one line, as Node words it. */
export function isFileError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

/**
 * Makes `dir` and its missing parents one by one (Node's recursive mkdir loops forever under
 * /proc), refusing a path that is, or lies under, something other than a directory.
 */
function makeDirectory(dir: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`--out: '${dir}' exists and is not a directory`);
    return;
  }
  const parent = dirname(dir);
  if (parent !== dir) makeDirectory(parent);
  mkdirSync(dir);
}

/** Checks up front that --out is a directory this run can write in (creating it if need be). */
export function prepareOutDir(out: string): void {
  try {
    makeDirectory(resolve(out));
    const probe = join(out, `.write-test.${process.pid}.tmp`);
    writeFileSync(probe, 'x');
    rmSync(probe);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--out: cannot write in '${out}' (${(e as Error).message})`);
  }
}
