import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('..', import.meta.url));

/** What a finished process said and how long it ran, spawn to exit. */
export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface ChildResult<T> {
  ok: boolean;
  value?: T;
  /** Why it failed: the tail of its output. */
  error?: string;
}

/** Runs a command in the repository root and collects its output; a process that outlives timeoutMs is killed. */
export function runProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 600_000): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}${e.message}`, ms: performance.now() - start });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - start });
    });
  });
}

/** Why a process failed, in one line: its exit and the last error line it printed (or its last lines). */
export function failure(r: ProcessResult): string {
  const lines = (r.stderr.trim() || r.stdout.trim()).split('\n').filter((l) => l && !l.startsWith('Warning: maxDynamic') && l.length < 500);
  const error = lines.filter((l) => /^\w*Error\b|^error:/.test(l)).at(-1);
  return `exit ${r.code ?? r.signal}: ${error ?? lines.slice(-3).join(' | ')}`;
}

/**
 * Runs a command and parses the last line it prints as JSON. Failure is a value, not an
 * exception: a peer that is missing or broken is reported and skipped.
 */
export async function runJson<T>(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 600_000): Promise<ChildResult<T>> {
  const r = await runProcess(command, args, env, timeoutMs);
  if (r.code === 0) {
    try {
      return { ok: true, value: JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as T };
    } catch {
      // fall through: report the output
    }
  }
  return { ok: false, error: failure(r) };
}

/** The arguments that run one of the bench's TypeScript entry points in a fresh Node process. */
export function tsArgs(file: string, args: readonly string[] = []): string[] {
  return ['--import', 'tsx', fileURLToPath(new URL(file, import.meta.url)), ...args];
}

/** Runs one of the bench's TypeScript entry points in a fresh Node process. */
export function runTsChild<T>(file: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}, timeoutMs?: number): Promise<ChildResult<T>> {
  return runJson<T>(process.execPath, tsArgs(file, args), env, timeoutMs);
}

/**
 * Runs `pnpm <script> <args>` as pnpm does (the script's command line in a shell, with the
 * repository's node_modules/.bin first on PATH), without pnpm's own start-up.
 */
export function runScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs?: number): Promise<ProcessResult> {
  const scripts = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const line = scripts[script];
  if (!line) throw new Error(`package.json has no script '${script}'`);
  return runCommand(line, args, env, timeoutMs, script);
}

/** Runs a command line in a shell with the repository's node_modules/.bin first on PATH, as pnpm runs a script's; `name` is its $0. */
export function runCommand(line: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs?: number, name = 'sh'): Promise<ProcessResult> {
  const path = [join(REPO, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter);
  return runProcess('sh', ['-c', `${line} "$@"`, name, ...args], { ...env, PATH: path }, timeoutMs);
}
