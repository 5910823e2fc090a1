import type { Tensor } from '@mini/tensor';
import { warn } from '@mini/tensor/internal';

/** How a loss reduces its elementwise values: not at all, to their sum, or to their mean. */
export type LossReduction = 'none' | 'mean' | 'sum';

const REDUCTIONS: readonly string[] = ['none', 'mean', 'sum'];

/** Throws PyTorch's error for a reduction that is not one of `allowed`. */
export function checkReduction(reduction: string, allowed: readonly string[] = REDUCTIONS): void {
  if (!allowed.includes(reduction)) throw new Error(`${reduction} is not a valid value for reduction`);
}

/** The elementwise loss reduced as asked. */
export function reduce(loss: Tensor, reduction: LossReduction): Tensor {
  checkReduction(reduction);
  return reduction === 'none' ? loss : reduction === 'sum' ? loss.sum() : loss.mean();
}

/** PyTorch's warning when a regression loss broadcasts target against input. */
export function warnIfBroadcast(input: Tensor, target: Tensor): void {
  if (input.ndim === target.ndim && input.shape.every((d, i) => d === target.shape[i])) return;
  warn(
    `Using a target size ([${target.shape.join(', ')}]) that is different to the input size ([${input.shape.join(', ')}]). ` +
      'This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.',
  );
}

/** Throws unless input and target have the same shape, in the words of `message`. */
export function checkSameShape(input: Tensor, target: Tensor, message: (t: string, i: string) => string): void {
  if (input.ndim === target.ndim && input.shape.every((d, i) => d === target.shape[i])) return;
  throw new Error(message(`[${target.shape.join(', ')}]`, `[${input.shape.join(', ')}]`));
}
