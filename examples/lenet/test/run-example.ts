import { runScript, type Result } from '@mini/example-kit/testing';

export { errorLines, events, tempDir } from '@mini/example-kit/testing';

export const SCRIPT = new URL('../lenet.ts', import.meta.url).pathname;

/** Runs `pnpm example:lenet` with these flags. */
export function runExample(args: string[]): Promise<Result> {
  return runScript(SCRIPT, args);
}
