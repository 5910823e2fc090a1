import { checkOptions, where, type Tensor } from '@mini/tensor';
import { warn } from '@mini/tensor/internal';
import { checkReduction, reduce, type LossReduction } from './reduction.ts';

/** KLDivLoss's options: reduction (with 'batchmean', the mathematically correct one) and logTarget. */
export interface KLDivLossOptions {
  /** 'none', 'mean' (the default, over all elements), 'sum' or 'batchmean' (the sum divided by the batch size). */
  reduction?: LossReduction | 'batchmean';
  /** Whether the target holds log-probabilities too. Default false. */
  logTarget?: boolean;
}

/**
 * The Kullback-Leibler divergence of log-probabilities `input` from `target`, like F.kl_div:
 * target·(log(target) − input) (0 where target is 0), or e^target·(target − input) with logTarget;
 * 'batchmean' divides the sum by the batch size.
 */
export function klDiv(input: Tensor, target: Tensor, options: KLDivLossOptions = {}): Tensor {
  checkOptions('kl_div', options, ['reduction', 'logTarget']);
  const { reduction = 'mean', logTarget = false } = options;
  checkReduction(reduction, ['none', 'mean', 'sum', 'batchmean']);
  if (reduction === 'mean') {
    warn(
      "reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' divides only by the batch size, " +
        "and aligns with the KL div math definition.'mean' will be changed to behave the same as 'batchmean' in the next major release.",
    );
  }
  let loss: Tensor;
  if (logTarget) {
    loss = target.exp().mul(target.sub(input));
  } else {
    // xlogy(target, target): 0 at target 0, with a finite gradient there (log of 1 in place of log 0).
    const safe = where(target.eq(0), 1, target);
    loss = target.mul(safe.log()).sub(target.mul(input));
  }
  if (reduction === 'batchmean') return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]);
  return reduce(loss, reduction);
}
