import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SCRIPT = new URL('../threenet.ts', import.meta.url).pathname;

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `pnpm example:threenet` with these flags (as node --import tsx threenet.ts ...). */
export function runExample(args: string[], onStdout?: (chunk: string, kill: (signal: NodeJS.Signals) => void) => void): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: child.exitCode ?? (error as { code?: number } | null)?.code ?? null, stdout, stderr });
    });
    if (onStdout) child.stdout!.on('data', (chunk: Buffer) => onStdout(chunk.toString(), (s) => child.kill(s)));
  });
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'threenet-'));
}

/** The JSON lines of a --json run. */
export function events(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
