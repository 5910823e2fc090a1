import { Generator, fromArray, type DeviceLike, type Tensor } from '@mini/tensor';
import { nn, F } from '@mini/nn';

// The seed's constants and network (shared/seed/000_cc4706db796cad16.txt), ported line for line.
export const D = 784;
export const H1 = 200;
export const H2 = 60;
export const K = 10;
export const batchSize = 256;

export class NNModule extends nn.Module {
  fc1 = new nn.Linear(D, H1);
  fc2 = new nn.Linear(H1, H2);
  fc3 = new nn.Linear(H2, K);

  forward(input: Tensor): Tensor {
    let x = F.relu(this.fc1.forward(input));
    x = F.relu(this.fc2.forward(x));
    x = F.logSoftmax(this.fc3.forward(x), 1);
    return x;
  }
}

/** One fixed batch: pixels in [-1, 1] as after the seed's Normalize(0.5, 0.5), and labels [size, 1]. */
export function batch(device: DeviceLike, size = batchSize): { data: Tensor; labels: Tensor } {
  const g = new Generator(11);
  const pixels = Float32Array.from({ length: size * D }, () => (Math.floor(g.uniform() * 256) / 255 - 0.5) / 0.5);
  const classes = Int32Array.from({ length: size }, () => g.integer(0, K));
  return { data: fromArray(pixels, [size, D], { device }), labels: fromArray(classes, [size, 1], { device }) };
}
