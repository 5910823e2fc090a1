import type { ExampleEvent } from './events.ts';
import { compare, tfjsEpoch, torchEpoch, type Comparison, type Contender } from './peers.ts';
import { lenetEpoch } from './programs.ts';

export const LENET = 'mini: LeNet';

/**
 * A LeNet epoch on Fashion-MNIST (60,000 images, batch 64) beside PyTorch CPU and TensorFlow.js,
 * paired run by run. Ours is the example's second epoch, whole (--quick: 100 steps scaled to the
 * epoch); TensorFlow.js over a few steps scaled to the epoch; PyTorch over 300 steps (--quick: 100).
 */
export async function benchLeNet(runs: number, quick: boolean, peers: boolean, log: (line: string) => void): Promise<Comparison<ExampleEvent[]>> {
  const others: Contender[] = peers
    ? [
        { name: 'PyTorch CPU', run: () => torchEpoch('lenet', quick ? 100 : 300) },
        { name: 'TensorFlow.js wasm', run: () => tfjsEpoch('lenet', 'wasm', quick ? 4 : 10) },
        // TensorFlow.js's cpu backend takes seconds per LeNet step: two steps, in the first round only.
        ...(quick ? [] : [{ name: 'TensorFlow.js cpu', run: () => tfjsEpoch('lenet', 'cpu', 2), once: true }]),
      ]
    : [];
  return compare(runs, { name: LENET, run: () => lenetEpoch(quick ? 100 : undefined) }, others, log);
}
