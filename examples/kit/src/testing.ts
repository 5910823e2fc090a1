import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How a run of an example program ended, and what it printed. */
export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs an example program (as node --import tsx SCRIPT ...args, which is what pnpm example:NAME
 * does); onStdout sees each chunk of its output and can signal it.
 */
export function runScript(script: string, args: string[], onStdout?: (chunk: string, kill: (signal: NodeJS.Signals) => void) => void): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', script, ...args], { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: child.exitCode ?? (error as { code?: number } | null)?.code ?? null, stdout, stderr });
    });
    if (onStdout) child.stdout!.on('data', (chunk: Buffer) => onStdout(chunk.toString(), (s) => child.kill(s)));
  });
}

/** A fresh empty folder under the system's temp dir. */
export function tempDir(prefix = 'example-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The JSON lines of a --json run. */
export function events(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** stderr without the line Dawn prints at every start ("maxDynamic... artificially reduced"). */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l && !l.startsWith('Warning: maxDynamic'));
}
