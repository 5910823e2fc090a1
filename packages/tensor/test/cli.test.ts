import { describe, expect, it } from 'vitest';
import { runScript } from './run-script.ts';

const CLI = new URL('../src/cli.ts', import.meta.url);
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l && !l.startsWith('Warning: maxDynamic'));

describe('pnpm mini', () => {
  it.each([['--help'], ['-h'], ['smoke', '--help']])('prints its usage for %j', async (...args) => {
    const { code, stdout } = await runScript(CLI, args);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: pnpm mini \[command\]/);
    expect(stdout).toContain('probe [default|vulkan|opengles]');
  });

  it('prints its version', async () => {
    const { code, stdout } = await runScript(CLI, ['--version']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^mini \d+\.\d+\.\d+\n$/);
  });

  it.each([
    [['--bogus'], "unknown command '--bogus'; expected one of: info, smoke, probe"],
    [['info', '--bogus'], "info: unexpected argument '--bogus'; expected --short"],
    [['probe', 'metal'], "probe: unexpected argument 'metal'; expected default or vulkan or opengles"],
  ])('rejects %j with one line and exit code 2', async (args, message) => {
    const { code, stderr } = await runScript(CLI, args);
    expect(code).toBe(2);
    expect(errorLines(stderr)).toEqual([`error: ${message} (see --help)`]);
  });
});
