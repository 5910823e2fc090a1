import { runTsChild } from './child.ts';
import { stat, type Stat } from './stats.ts';

interface Sample {
  sinceStart: number;
  imports: number;
  device: number;
  data: number;
  firstStep: number;
  steadyStep: number;
}

export interface FirstStepResult {
  /** Mesa's shader cache as a user has it after one run. */
  warm: Record<keyof Sample, Stat>;
  /** MESA_SHADER_CACHE_DISABLE=true: every pipeline compiled from scratch by llvmpipe. */
  cold: Record<keyof Sample, Stat>;
  /** Each pipeline up to the first step, dispatched alone with the cache empty: ms, in compile order. */
  pipelines: { kernel: string; ms: Stat }[];
}

const COLD = { MESA_SHADER_CACHE_DISABLE: 'true' };

async function sample(runs: number, env: NodeJS.ProcessEnv): Promise<Record<keyof Sample, Stat>> {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runTsChild<Sample>('./first-step-child.ts', [], env, 120_000);
    if (!r.ok) throw new Error(`first-step child failed: ${r.error}`);
    samples.push(r.value!);
  }
  const keys = Object.keys(samples[0]) as (keyof Sample)[];
  return Object.fromEntries(keys.map((k) => [k, stat(samples.map((s) => s[k]))])) as Record<keyof Sample, Stat>;
}

async function pipelineTimes(runs: number): Promise<{ kernel: string; ms: Stat }[]> {
  const list = await runTsChild<unknown[]>('./compile-child.ts', ['list']);
  if (!list.ok) throw new Error(`compile-child list failed: ${list.error}`);
  const samples: { kernel: string; ms: number }[][] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runTsChild<{ kernel: string; ms: number }[]>('./compile-child.ts', ['time', JSON.stringify(list.value)], COLD, 120_000);
    if (!r.ok) throw new Error(`compile-child time failed: ${r.error}`);
    samples.push(r.value!);
  }
  return samples[0].map(({ kernel }, i) => ({ kernel, ms: stat(samples.map((s) => s[i].ms)) }));
}

/** Time to the first training step, each run a fresh process, and what each pipeline adds to it cold. */
export async function benchFirstStep(runs: number): Promise<FirstStepResult> {
  await runTsChild('./first-step-child.ts'); // fills Mesa's shader cache, as any earlier run would have
  return { warm: await sample(runs, {}), cold: await sample(runs, COLD), pipelines: await pipelineTimes(runs) };
}
