import { runScript, type Result } from '@mini/example-kit/testing';

export { events, tempDir } from '@mini/example-kit/testing';

export const SCRIPT = new URL('../threenet.ts', import.meta.url).pathname;

/** Runs `pnpm example:threenet` with these flags. */
export function runExample(args: string[], onStdout?: Parameters<typeof runScript>[2]): Promise<Result> {
  return runScript(SCRIPT, args, onStdout);
}
