import { describe, expect, it } from 'vitest';
import { runScript } from '../../packages/tensor/test/run-script.ts';
import { parseOptions, UsageError, wants } from '../options.ts';

const BENCH = new URL('../bench.ts', import.meta.url);

describe('pnpm bench flags', () => {
  it('--help and --version print and run nothing', () => {
    const printed: string[] = [];
    expect(parseOptions(['--help'], (t) => printed.push(t))).toBe(null);
    expect(parseOptions(['--version'], (t) => printed.push(t))).toBe(null);
    expect(printed[0]).toMatch(/^pnpm bench \[flags\]/);
    expect(printed[0]).toContain('--no-peers');
    expect(printed[0]).toContain('--quick');
    expect(printed[1]).toMatch(/^mini bench \d+\.\d+\.\d+$/);
  });

  it('defaults, and the flags that change them', () => {
    expect(parseOptions([])).toEqual({ runs: 3, quick: false, peers: true, write: true, only: null });
    const o = parseOptions(['--runs', '5', '--quick', '--no-peers', '--no-write', '--only', 'threenet,lenet'])!;
    expect(o).toMatchObject({ runs: 5, quick: true, peers: false, write: false });
    expect(wants(o, 'threenet')).toBe(true);
    expect(wants(o, 'lenet')).toBe(true);
    expect(wants(o, 'matmul')).toBe(false);
    expect(wants(parseOptions([])!, 'first-step')).toBe(true);
  });

  it.each([
    [['--bogus'], "unknown flag '--bogus' (see --help)"],
    [['--epochs', '3'], "unknown flag '--epochs' (see --help)"],
    [['--runs'], '--runs needs a value (see --help)'],
    [['--runs', '0'], '--runs expects a positive integer, found 0'],
    [['--runs', '2.5'], '--runs expects a positive integer, found 2.5'],
    [['--only', 'gpu'], '--only: unknown section gpu'],
  ])('%j is a usage error', (args, message) => {
    expect(() => parseOptions(args)).toThrow(UsageError);
    expect(() => parseOptions(args)).toThrow(message);
  });

  it('the program answers --version, and an unknown flag with one line and exit code 2, before opening a device', async () => {
    const version = await runScript(BENCH, ['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^mini bench \d+\.\d+\.\d+\n$/);
    const bad = await runScript(BENCH, ['--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n').filter((l) => l)).toEqual(["error: unknown flag '--bogus' (see --help)"]);
  });
});
