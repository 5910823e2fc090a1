import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('..', import.meta.url));

export interface ChildResult<T> {
  ok: boolean;
  value?: T;
  /** Why it failed: the tail of its output. */
  error?: string;
}

/**
 * Runs a command and parses the last line it prints as JSON. Failure is a value, not an
 * exception: a peer that is missing or broken is reported and skipped.
 */
export function runJson<T>(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 600_000): Promise<ChildResult<T>> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, error: e.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code === 0) {
        try {
          resolve({ ok: true, value: JSON.parse(last) as T });
          return;
        } catch {
          // fall through: report the output
        }
      }
      const tail = (err.trim() || out.trim()).split('\n').filter((l) => !l.startsWith('Warning: maxDynamic')).slice(-3).join(' | ');
      resolve({ ok: false, error: `exit ${code ?? signal}: ${tail}` });
    });
  });
}

/** Runs one of the bench's TypeScript entry points in a fresh Node process. */
export function runTsChild<T>(file: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}, timeoutMs?: number): Promise<ChildResult<T>> {
  return runJson<T>(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(file, import.meta.url)), ...args], env, timeoutMs);
}
