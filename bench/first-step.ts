import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand, runProcess, runTsChild, tsArgs, failure } from './child.ts';
import { parseEvents } from './events.ts';
import { compare, torchFirstStep, type Comparison, type Contender } from './peers.ts';
import { threenetFirstStep, threenetFirstStepEmptyCache } from './programs.ts';
import { stat, type Stat } from './stats.ts';

export interface FirstStepResult {
  /** Whole processes, seconds; the reference is PyTorch's when peers run, else ours with the cache warm. */
  comparison: Comparison<undefined>;
  /** Each pipeline `--max-steps 1` compiles, dispatched alone with the cache empty: ms, in compile order. */
  pipelines: { kernel: string; ms: Stat }[];
}

export const WARM = 'mini, shader cache warm';
export const EMPTY = 'mini, shader cache empty';
export const TORCH_FIRST_STEP = 'PyTorch CPU: import + one step';

/** The kernel specializations `pnpm example:threenet --max-steps 1` compiles, in order. */
async function firstStepKernels(): Promise<unknown[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mini-bench-first-'));
  try {
    const args = tsArgs('./example-child.ts', ['examples/threenet/threenet.ts', '--max-steps', '1', '--json', '--out', dir]);
    const r = await runProcess(process.execPath, args, { MINI_BENCH_KERNEL_SPECS: '1' }, 300_000);
    if (r.code !== 0) throw new Error(`examples/threenet --max-steps 1 failed: ${failure(r)}`);
    const last = parseEvents(r.stdout).find((e) => e.type === 'bench-kernels') as { specs: unknown[] } | undefined;
    if (!last || last.specs.length === 0) throw new Error('example-child.ts listed no kernels');
    return last.specs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function pipelineTimes(runs: number): Promise<{ kernel: string; ms: Stat }[]> {
  const specs = JSON.stringify(await firstStepKernels());
  const samples: { kernel: string; ms: number }[][] = [];
  for (let i = 0; i < runs; i++) {
    const cache = mkdtempSync(join(tmpdir(), 'mini-bench-mesa-'));
    try {
      const r = await runTsChild<{ kernel: string; ms: number }[]>('./compile-child.ts', ['time', specs], { MESA_SHADER_CACHE_DIR: cache }, 300_000);
      if (!r.ok) throw new Error(`compile-child time failed: ${r.error}`);
      samples.push(r.value!);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }
  return samples[0].map(({ kernel }, i) => ({ kernel, ms: stat(samples.map((s) => s[i].ms)) }));
}

/**
 * Time to the first step of the main job as whole processes, the packages built first: `pnpm
 * example:threenet --max-steps 1` with Mesa's shader cache and the tuning cache warm (a folder of
 * the bench's own, filled by one untimed run first) and empty (a new folder each run), beside PyTorch's import +
 * one step.
 */
export async function benchFirstStep(runs: number, peers: boolean, log: (line: string) => void): Promise<FirstStepResult> {
  // As set-up leaves it, from built JavaScript: with the build stale the launcher would run tsx.
  const build = await runCommand('tsc -b tsconfig.build.json', [], {}, 300_000);
  if (build.code !== 0) throw new Error(`tsc -b tsconfig.build.json failed: ${failure(build)}`);
  const warmCache = mkdtempSync(join(tmpdir(), 'mini-bench-mesa-warm-'));
  try {
    await threenetFirstStep(warmCache);
    const warm: Contender = { name: WARM, run: () => threenetFirstStep(warmCache) };
    const empty: Contender = { name: EMPTY, run: threenetFirstStepEmptyCache };
    const comparison = peers
      ? await compare(runs, { name: TORCH_FIRST_STEP, run: torchFirstStep }, [warm, empty], log)
      : await compare(runs, warm, [empty], log);
    return { comparison, pipelines: await pipelineTimes(Math.min(runs, 3)) };
  } finally {
    rmSync(warmCache, { recursive: true, force: true });
  }
}
