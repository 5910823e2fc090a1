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
}

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

/** Time to the first training step, each run a fresh process. */
export async function benchFirstStep(runs: number): Promise<FirstStepResult> {
  await runTsChild('./first-step-child.ts'); // fills Mesa's shader cache, as any earlier run would have
  return { warm: await sample(runs, {}), cold: await sample(runs, { MESA_SHADER_CACHE_DISABLE: 'true' }) };
}
