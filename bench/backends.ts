import { runTsChild } from './child.ts';
import type { Stat } from './stats.ts';

export interface BackendResult {
  backend: string;
  adapter: string;
  kernel: string;
  gflops: Stat;
  dispatchMicros: Stat;
  readbackMicros: Stat;
  stepMicros: Stat;
  steps: number;
}

export type BackendOutcome = { backend: string; result?: BackendResult; skipped?: string };

/** The same measurements through Dawn's Vulkan and GL backends, each in a fresh process. */
export async function benchBackends(runs: number, steps: number): Promise<BackendOutcome[]> {
  const outcomes: BackendOutcome[] = [];
  for (const backend of ['vulkan', 'opengles']) {
    const r = await runTsChild<BackendResult>('./backend-child.ts', [String(runs), String(steps)], { MINI_WEBGPU_BACKEND: backend }, 300_000);
    outcomes.push(r.ok ? { backend, result: r.value } : { backend, skipped: r.error });
  }
  return outcomes;
}
