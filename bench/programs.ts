// Our side of each comparison: the programs users run, each run a fresh process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failure, runProcess, runScript, tsArgs, type ProcessResult } from './child.ts';
import { epochSeconds, parseEvents, type ExampleEvent } from './events.ts';
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

/** A run that was timed (the example's own runs are never skipped: a failure throws). */
type Timed = Extract<RunOutcome<ExampleEvent[]>, { seconds: number }>;

/**
 * One run of `pnpm example:NAME` on Fashion-MNIST with --json, through example-child.ts (which
 * adds the device's counters to its events): `epochs` epochs, no training-accuracy pass
 * (--eval-every beyond them), the mean of the epochs after the first (the first pays for the
 * compiles and the tuner) as the events report them.
 */
async function exampleEpochs(name: string, epochs: number, extraFlags: string[] = []): Promise<Timed> {
  return withTempDir(`mini-bench-${name}-`, async (out) => {
    const flags = ['--dataset', 'fashion-mnist', '--epochs', String(epochs), ...extraFlags, '--eval-every', '1000', '--json', '--out', out];
    const r = await runProcess(process.execPath, tsArgs('./example-child.ts', [`examples/${name}/${name}.ts`, ...flags]), {}, 900_000);
    const events = eventsOf(`examples/${name}`, r);
    const timed = epochSeconds(events).slice(1);
    if (timed.length !== epochs - 1) throw new Error(`examples/${name}: expected ${epochs} epoch events, found ${timed.length + 1}`);
    const seconds = timed.reduce((a, b) => a + b, 0) / timed.length;
    const which = epochs === 2 ? 'epoch 2' : `mean of epochs 2–${epochs}`;
    return { seconds, note: `\`pnpm example:${name} ${flags.slice(0, -2).join(' ')}\`: ${which} from its epoch events`, detail: events };
  });
}

/** The ThreeNet example's epoch on Fashion-MNIST (THREENET_EPOCHS epochs, the first untimed). */
export function threenetEpochs(): Promise<RunOutcome<ExampleEvent[]>> {
  return exampleEpochs('threenet', THREENET_EPOCHS);
}

/** Dispatches per step of the ThreeNet example: a short run logging every step, through example-child.ts. */
export async function threenetStepCounts(steps: number): Promise<ExampleEvent[]> {
  return withTempDir('mini-bench-threenet-', async (out) => {
    const flags = ['--dataset', 'fashion-mnist', '--epochs', '1', '--max-steps', String(steps), '--log-every', '1', '--json', '--out', out];
    return eventsOf('examples/threenet', await runProcess(process.execPath, tsArgs('./example-child.ts', ['examples/threenet/threenet.ts', ...flags])));
  });
}

const LENET_BATCH = 64;
const LENET_STEPS_PER_EPOCH = Math.ceil(60_000 / LENET_BATCH);

/**
 * The LeNet example's epoch on Fashion-MNIST: two epochs, the second timed whole; or, given
 * `stepsPerEpoch` (--quick), two epochs of that many steps, the second scaled to a full epoch.
 */
export async function lenetEpoch(stepsPerEpoch?: number): Promise<RunOutcome<ExampleEvent[]>> {
  if (stepsPerEpoch === undefined) return exampleEpochs('lenet', 2);
  const short = await exampleEpochs('lenet', 2, ['--steps-per-epoch', String(stepsPerEpoch)]);
  const scale = LENET_STEPS_PER_EPOCH / stepsPerEpoch;
  return { ...short, seconds: short.seconds * scale, note: `${short.note}, scaled from ${stepsPerEpoch} steps to ${LENET_STEPS_PER_EPOCH}` };
}

/**
 * `pnpm example:threenet --max-steps 1` as a whole process (the default dataset, the embedded
 * sample), with Mesa's shader cache in `cacheDir`: seconds from spawn to exit.
 */
export async function threenetFirstStep(cacheDir: string): Promise<RunOutcome> {
  return withTempDir('mini-bench-first-', async (out) => {
    // The matmul tuning cache lives beside the shader cache: the warm runs share both, an empty run has neither.
    const env = { MESA_SHADER_CACHE_DIR: cacheDir, MESA_SHADER_CACHE_DISABLE: 'false', MINI_TUNE_CACHE: join(cacheDir, 'matmul-tune.json') };
    const r = await runScript('example:threenet', ['--max-steps', '1', '--out', out], env, 300_000);
    if (r.code !== 0) throw new Error(`pnpm example:threenet --max-steps 1 failed: ${failure(r)}`);
    return { seconds: r.ms / 1000, note: '`pnpm example:threenet --max-steps 1`, spawn to exit (pnpm\'s own start-up not included)' };
  });
}

/** The first step with Mesa's shader cache and the tuning cache empty: a new folder each run (what a first run on a machine has). */
export function threenetFirstStepEmptyCache(): Promise<RunOutcome> {
  return withTempDir('mini-bench-mesa-', (dir) => threenetFirstStep(dir));
}
