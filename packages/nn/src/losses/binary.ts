import { checkOptions, exp, full, log, maximum, type Tensor } from '@mini/tensor';
import { record } from '@mini/tensor/internal';
import { noGrad } from '@mini/autograd';
import { checkSameShape, reduce, type LossReduction } from './reduction.ts';

/** BCELoss's options: a weight broadcast over the elements, and the reduction. */
export interface BCELossOptions {
  /** A rescaling weight broadcast against each element's loss; null/omitted for none. */
  weight?: Tensor | null;
  /** 'none' (per-element losses), 'mean' (the default) or 'sum'. */
  reduction?: LossReduction;
}

/** BCEWithLogitsLoss's options: BCELoss's and posWeight, the weight of the positive class (broadcast over the last dim). */
export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /** A weight of the positive term per class, broadcast against the target; null/omitted for none. */
  posWeight?: Tensor | null;
}

/** PyTorch's clamp of log(x) and log(1 − x) in binary cross-entropy: never below −100. */
const LOG_MIN = -100;
/** PyTorch's floor of x·(1 − x) in the gradient of binary cross-entropy (a float32 constant there too). */
const GRAD_EPSILON = Math.fround(1e-12);

/** A 0-d tensor holding `value`, of x's dtype and on its device (maximum takes tensors). */
function scalar(x: Tensor, value: number): Tensor {
  return full([], value, { dtype: x.dtype, device: x.device });
}

/**
 * Binary cross-entropy of probabilities, like F.binary_cross_entropy:
 * −weight·(target·log(input) + (1 − target)·log(1 − input)), each log clamped at −100. The gradient
 * is PyTorch's, weight·(input − target)/max(input·(1 − input), 1e-12), finite at 0 and 1. Input
 * values outside [0, 1] give NaN (PyTorch raises, which would need a readback).
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BCELossOptions = {}): Tensor {
  checkOptions('binary_cross_entropy', options, ['weight', 'reduction']);
  const { weight = null, reduction = 'mean' } = options;
  checkSameShape(input, target, (t, i) => `Using a target size (${t}) that is different to the input size (${i}) is deprecated. Please ensure they have the same size.`);
  const w = weight ?? 1;
  const pointwise = noGrad(() => {
    const logX = maximum(log(input), scalar(input, LOG_MIN));
    const log1mX = maximum(log(input.neg().add(1)), scalar(input, LOG_MIN));
    return target.mul(logX).add(target.neg().add(1).mul(log1mX)).mul(w).neg();
  });
  const inputs = [input, target, ...(weight ? [weight] : [])];
  const loss = record('BinaryCrossEntropy', inputs, pointwise, inputs, (g, [x, y, savedWeight]) => {
    const scale = savedWeight ? g.mul(savedWeight) : g;
    return [
      input.requiresGrad ? scale.mul(x.sub(y)).div(maximum(x.mul(x.neg().add(1)), scalar(x, GRAD_EPSILON))) : null,
      // d/dtarget = −logit(input), unclamped, as in PyTorch
      target.requiresGrad ? scale.mul(log(x.neg().add(1)).sub(log(x))) : null,
      null, // PyTorch gives the weight no gradient
    ];
  });
  return reduce(loss, reduction);
}

/**
 * Binary cross-entropy of logits, like F.binary_cross_entropy_with_logits, in PyTorch's stable
 * form: with m = max(−input, 0) and l = (posWeight − 1)·target + 1 (1 without posWeight),
 * (1 − target)·input + l·(log(e^−m + e^(−input−m)) + m), times weight.
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BCEWithLogitsLossOptions = {}): Tensor {
  checkOptions('binary_cross_entropy_with_logits', options, ['weight', 'reduction', 'posWeight']);
  const { weight = null, reduction = 'mean', posWeight = null } = options;
  checkSameShape(input, target, (t, i) => `Target size (${t}) must be the same as input size (${i})`);
  const m = maximum(input.neg(), scalar(input, 0));
  const softplusTerm = log(exp(m.neg()).add(exp(input.neg().sub(m)))).add(m);
  const logWeight = posWeight ? posWeight.sub(1).mul(target).add(1) : null;
  let loss = target.neg().add(1).mul(input).add(logWeight ? logWeight.mul(softplusTerm) : softplusTerm);
  if (weight) loss = loss.mul(weight);
  return reduce(loss, reduction);
}
