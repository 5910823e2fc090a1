/**
 * Prints, as JSON, the order in which `pnpm example:lenet` (default --seed 0) draws the embedded
 * sample's training images in its first epoch (its loader shuffles with Generator(seed + 1): the
 * first permutation of the 8,000 indices that it draws), and the sample's training labels, by
 * which the caller checks that its copy of the sample is in the same order.
 * scripts/fixtures/lenet_first_steps.py trains PyTorch in this order, so that the example's first
 * steps can be compared with PyTorch's.
 *
 *   npx tsx examples/lenet/test/tools/shuffle-order.ts [SEED]
 */
import { Generator } from '@mini/tensor';
import { MNISTSample } from '@mini/mnist-sample';
import { readMNISTSample } from '@mini/mnist-sample/node';

const seed = Number(process.argv[2] ?? 0);
const train = new MNISTSample(readMNISTSample(), { train: true });
await train.ready;
const order = Array.from(new Generator(seed + 1).permutation(train.length));
const labels = Array.from(await train.targets.toArray());
process.stdout.write(JSON.stringify({ order, labels }) + '\n');
