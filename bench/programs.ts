// Our side of each comparison: the programs users run, each run a fresh process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failure, runProcess, runScript, tsArgs, type ProcessResult } from './child.ts';
import { epochSeconds, parseEvents, secondsPerStep, type ExampleEvent } from './events.ts';
import type { RunOutcome } from './peers.ts';

/** A fresh temporary folder for fn, removed after it. */
async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The example's events, or an error naming its command and its failure. */
function eventsOf(what: string, r: ProcessResult): ExampleEvent[] {
  if (r.code !== 0) throw new Error(`${what} failed: ${failure(r)}`);
  return parseEvents(r.stdout);
}

/** Epochs of the ThreeNet example on Fashion-MNIST: the first warms up, the others are timed. */
export const THREENET_EPOCHS = 3;

/**
 * One run of `pnpm example:threenet` on Fashion-MNIST with --json, through example-child.ts (which
 * adds the device's counters to its events): THREENET_EPOCHS epochs, no training-accuracy pass
 * (--eval-every beyond them), the mean of the epochs after the first as the events report them.
 */
export async function threenetEpochs(): Promise<RunOutcome<ExampleEvent[]>> {
  return withTempDir('mini-bench-threenet-', async (out) => {
    const flags = ['--dataset', 'fashion-mnist', '--epochs', String(THREENET_EPOCHS), '--eval-every', '1000', '--json', '--out', out];
    const r = await runProcess(process.execPath, tsArgs('./example-child.ts', ['examples/threenet/threenet.ts', ...flags]), {}, 600_000);
    const events = eventsOf('examples/threenet', r);
    const timed = epochSeconds(events).slice(1);
    if (timed.length !== THREENET_EPOCHS - 1) throw new Error(`examples/threenet: expected ${THREENET_EPOCHS} epoch events, found ${timed.length + 1}`);
    const seconds = timed.reduce((a, b) => a + b, 0) / timed.length;
    return { seconds, note: `\`pnpm example:threenet ${flags.slice(0, -2).join(' ')}\`: mean of epochs 2–${THREENET_EPOCHS} from its epoch events`, detail: events };
  });
}

/** Dispatches per step of the ThreeNet example: a short run logging every step, through example-child.ts. */
export async function threenetStepCounts(steps: number): Promise<ExampleEvent[]> {
  return withTempDir('mini-bench-threenet-', async (out) => {
    const flags = ['--dataset', 'fashion-mnist', '--epochs', '1', '--max-steps', String(steps), '--log-every', '1', '--json', '--out', out];
    return eventsOf('examples/threenet', await runProcess(process.execPath, tsArgs('./example-child.ts', ['examples/threenet/threenet.ts', ...flags])));
  });
}

/** Steps of LeNet: `warmup` untimed, then `timed` more with a loss read back every `warmup` steps. */
export interface StepWindow {
  warmup: number;
  timed: number;
}

export const LENET_BATCH = 64;
export const LENET_STEPS_PER_EPOCH = Math.ceil(60_000 / LENET_BATCH);

/**
 * One run of `pnpm example:lenet` on Fashion-MNIST, timed over a window of steps and scaled to an
 * epoch: its flags --max-steps and --log-every, and the seconds per step its step events give.
 */
export async function lenetEpoch(window: StepWindow): Promise<RunOutcome> {
  return withTempDir('mini-bench-lenet-', async (out) => {
    const steps = ['--max-steps', String(window.warmup + window.timed), '--log-every', String(window.warmup)];
    const flags = ['--dataset', 'fashion-mnist', '--epochs', '1', ...steps, '--json', '--out', out];
    const r = await runProcess(process.execPath, tsArgs('./example-child.ts', ['examples/lenet/lenet.ts', ...flags]), {}, 900_000);
    const perStep = secondsPerStep(eventsOf('examples/lenet', r), LENET_BATCH);
    return {
      seconds: perStep * LENET_STEPS_PER_EPOCH,
      note: `\`pnpm example:lenet ${flags.slice(0, -2).join(' ')}\`: steps ${window.warmup}–${window.warmup + window.timed} scaled to ${LENET_STEPS_PER_EPOCH}`,
    };
  });
}

/**
 * `pnpm example:threenet --max-steps 1` as a whole process (the default dataset, the embedded
 * sample), with Mesa's shader cache in `cacheDir`: seconds from spawn to exit.
 */
export async function threenetFirstStep(cacheDir: string): Promise<RunOutcome> {
  return withTempDir('mini-bench-first-', async (out) => {
    const r = await runScript('example:threenet', ['--max-steps', '1', '--out', out], { MESA_SHADER_CACHE_DIR: cacheDir, MESA_SHADER_CACHE_DISABLE: 'false' }, 300_000);
    if (r.code !== 0) throw new Error(`pnpm example:threenet --max-steps 1 failed: ${failure(r)}`);
    return { seconds: r.ms / 1000, note: '`pnpm example:threenet --max-steps 1`, spawn to exit (pnpm\'s own start-up not included)' };
  });
}

/** The first step with Mesa's shader cache empty: a new cache folder each run (what a first run on a machine has). */
export function threenetFirstStepEmptyCache(): Promise<RunOutcome> {
  return withTempDir('mini-bench-mesa-', (dir) => threenetFirstStep(dir));
}
