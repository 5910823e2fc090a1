import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTuneFile } from '../src/tune/cache.ts';
import { runScript } from './run-script.ts';

const CLI = new URL('../src/cli.ts', import.meta.url);
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l && !l.startsWith('Warning: maxDynamic'));

describe('pnpm mini', () => {
  it.each([['--help'], ['-h'], ['smoke', '--help']])('prints its usage for %j', async (...args) => {
    const { code, stdout } = await runScript(CLI, args);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: pnpm mini \[command\]/);
    expect(stdout).toContain('probe [default|vulkan|opengles]');
    expect(stdout).toContain('tune [--mode quick|full] [--shape MxKxN[:ab|atb|abt|atbt]]... [--conv N,C,H,W,OC,K[,padding[,stride]]]...');
  });

  it('prints its version', async () => {
    const { code, stdout } = await runScript(CLI, ['--version']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^mini \d+\.\d+\.\d+\n$/);
  });

  it.each([
    [['--bogus'], "unknown command '--bogus'; expected one of: info, smoke, probe, tune"],
    [['tune', '--mode', 'fast'], "tune: --mode takes quick or full, found 'fast'"],
    [['tune', '--shape', '12x8'], "tune: --shape takes MxKxN[:ab|atb|abt|atbt], found '12x8'"],
    [['tune', '--runs'], "tune: unexpected argument '--runs'; expected --mode, --shape or --conv"],
    [['tune', '--conv', '2,3,8,8,4'], "tune: --conv takes N,C,H,W,OC,K[,padding[,stride]] (positive integers; padding may be 0), found '2,3,8,8,4'"],
    [['info', '--bogus'], "info: unexpected argument '--bogus'; expected --short"],
    [['probe', 'metal'], "probe: unexpected argument 'metal'; expected default or vulkan or opengles"],
  ])('rejects %j with one line and exit code 2', async (args, message) => {
    const { code, stderr } = await runScript(CLI, args);
    expect(code).toBe(2);
    expect(errorLines(stderr)).toEqual([`error: ${message} (see --help)`]);
  });

  /** Runs `mini tune` with a cache file of its own: its exit code, output, and the cache's keys. */
  async function tuneWithOwnCache(args: string[]) {
    process.env.MINI_TUNE_CACHE = join(mkdtempSync(join(tmpdir(), 'mini-cli-tune-')), 'tune.json');
    try {
      const { code, stdout } = await runScript(CLI, ['tune', ...args]);
      const [entries] = Object.values(parseTuneFile(readFileSync(process.env.MINI_TUNE_CACHE, 'utf8')).adapters);
      return { code, stdout, classes: Object.keys(entries).sort() };
    } finally {
      delete process.env.MINI_TUNE_CACHE;
    }
  }

  it('tune: times the candidates for each shape, prints the winner and writes the cache file', async () => {
    const { code, stdout, classes } = await tuneWithOwnCache(['--mode', 'quick', '--shape', '36x20x44:abt']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^  \(36×20\)·\(20×44\)ᵀ +matmul\S* .* GFLOP\/s {2}\(heuristic /m);
    expect(stdout).toContain(`tuned 1 product classes and 0 convolutions in `);
    expect(classes).toEqual(['aK4.bK4 64x32x64']);
  });

  it('tune --conv: times both paths of each pass a direct kernel can run, prints the choice and writes the cache file', async () => {
    const { code, stdout, classes } = await tuneWithOwnCache(['--mode', 'quick', '--conv', '2,3,9,9,4,3,1,2']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^  conv 2×3×9×9, 4×3×3, padding 1, stride 2: forward +(direct|unfolded) +\S+ GFLOP\/s {2}\(direct /m);
    expect(stdout).toContain('  conv 2×3×9×9, 4×3×3, padding 1, stride 2: gradInput: unfolded (the direct kernel cannot run it here)');
    expect(stdout).toMatch(/: gradWeight +(direct|unfolded) /);
    expect(stdout).toContain('tuned 0 product classes and 1 convolutions in ');
    expect(classes).toEqual(['conv.forward N2 C3 9x9 OC4 groups1 k3x3 s2x2 p1x1 d1x1', 'conv.gradWeight N2 C3 9x9 OC4 groups1 k3x3 s2x2 p1x1 d1x1']);
  });
});
