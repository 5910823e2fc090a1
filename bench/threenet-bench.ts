import { dispatchesPerStep, memoryPerEpoch, submitsPerEpoch, type EpochMemory, type ExampleEvent } from './events.ts';
import { compare, tfjsEpoch, torchEpoch, type Comparison, type Contender } from './peers.ts';
import { threenetEpochs, threenetStepCounts } from './programs.ts';
import { stat, type Stat } from './stats.ts';

export interface ThreeNetResult {
  comparison: Comparison<ExampleEvent[]>;
  /** Dispatches of each step, from a run logging every step (steps 3 on). */
  dispatchesPerStep: Stat;
  /** Submits between epoch events, over every timed epoch of every run. */
  submitsPerEpoch: Stat;
  /**
   * Of the last run: live GPU bytes, and the buffers and bind groups each epoch created (the first run on a
   * machine may still be tuning in the background, and the tuner's trial buffers count).
   */
  memory: EpochMemory[];
}

export const THREENET = 'mini: examples/threenet';

/** The ThreeNet example's epoch on Fashion-MNIST beside PyTorch CPU and TensorFlow.js wasm, paired run by run. */
export async function benchThreeNet(runs: number, quick: boolean, peers: boolean, log: (line: string) => void): Promise<ThreeNetResult> {
  const counted = dispatchesPerStep(await threenetStepCounts(12)).slice(2);
  const others: Contender[] = peers
    ? [
        { name: 'PyTorch CPU', run: () => torchEpoch('threenet', 0) },
        { name: 'TensorFlow.js wasm', run: () => tfjsEpoch('threenet', 'wasm', quick ? 12 : 30) },
      ]
    : [];
  const comparison = await compare(runs, { name: THREENET, run: threenetEpochs }, others, log);
  const events = comparison.reference.details;
  return {
    comparison,
    dispatchesPerStep: stat(counted),
    submitsPerEpoch: stat(events.flatMap(submitsPerEpoch)),
    memory: memoryPerEpoch(events[events.length - 1]),
  };
}
