import { abs, checkOptions, where, type Tensor } from '@mini/tensor';
import { reduce, warnIfBroadcast, type LossReduction } from './reduction.ts';

/** The options of the regression losses: PyTorch's reduction (default 'mean'). */
export interface RegressionLossOptions {
  /** 'none' (per-element losses), 'mean' (the default) or 'sum'. */
  reduction?: LossReduction;
}

/** SmoothL1Loss's options: reduction and beta, the width of the quadratic zone (default 1). */
export interface SmoothL1LossOptions extends RegressionLossOptions {
  /** Where the loss turns from quadratic to linear: 1 by default. */
  beta?: number;
}

/** The mean (or sum, or none) of the squared differences, like F.mse_loss. */
export function mseLoss(input: Tensor, target: Tensor, options: RegressionLossOptions = {}): Tensor {
  checkOptions('mse_loss', options, ['reduction']);
  warnIfBroadcast(input, target);
  const diff = input.sub(target);
  return reduce(diff.mul(diff), options.reduction ?? 'mean');
}

/** The mean (or sum, or none) of the absolute differences, like F.l1_loss. */
export function l1Loss(input: Tensor, target: Tensor, options: RegressionLossOptions = {}): Tensor {
  checkOptions('l1_loss', options, ['reduction']);
  warnIfBroadcast(input, target);
  return reduce(abs(input.sub(target)), options.reduction ?? 'mean');
}

/**
 * Huber-like loss, like F.smooth_l1_loss: with z = |input − target|, 0.5·z²/beta where z < beta,
 * else z − 0.5·beta; beta = 0 is the L1 loss.
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1LossOptions = {}): Tensor {
  checkOptions('smooth_l1_loss', options, ['reduction', 'beta']);
  const { reduction = 'mean', beta = 1 } = options;
  if (beta < 0) throw new Error('smooth_l1_loss does not support negative values for beta.');
  warnIfBroadcast(input, target);
  const z = abs(input.sub(target));
  if (beta === 0) return reduce(z, reduction);
  const quadratic = z.mul(z).mul(0.5 / beta);
  return reduce(where(z.lt(beta), quadratic, z.sub(0.5 * beta)), reduction);
}
