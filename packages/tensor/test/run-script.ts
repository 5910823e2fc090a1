import { execFile } from 'node:child_process';

/** Runs a command-line script (as `pnpm <script>` does, through tsx) and collects what it says. */
export function runScript(script: URL, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', script.pathname, ...args], (error, stdout, stderr) => {
      resolve({ code: child.exitCode ?? (error as { code?: number } | null)?.code ?? null, stdout, stderr });
    });
  });
}
