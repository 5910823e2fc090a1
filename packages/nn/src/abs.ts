import { maximum, type Tensor } from '@mini/tensor';

/** |x|, with PyTorch's gradient sign(x) (0 at 0: maximum splits a tie evenly). */
export function abs(x: Tensor): Tensor {
  return maximum(x, x.neg());
}
