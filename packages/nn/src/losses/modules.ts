import { checkOptions, type Tensor } from '@mini/tensor';
import { Module } from '../module.ts';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, type BCELossOptions, type BCEWithLogitsLossOptions } from './binary.ts';
import { klDiv, type KLDivLossOptions } from './kl-div.ts';
import { checkReduction, type LossReduction } from './reduction.ts';
import { l1Loss, mseLoss, smoothL1Loss, type RegressionLossOptions, type SmoothL1LossOptions } from './regression.ts';

/** A loss module: its options checked and kept at construction, its forward the F. form. */
abstract class Loss<O extends { reduction?: string }> extends Module {
  /** How the per-element losses are reduced: 'mean' by default. */
  readonly reduction: NonNullable<O['reduction']>;

  constructor(name: string, options: O, known: readonly (keyof O & string)[], reductions?: readonly string[]) {
    super();
    checkOptions(name, options, known);
    this.reduction = (options.reduction ?? 'mean') as NonNullable<O['reduction']>;
    checkReduction(this.reduction, reductions);
  }

  /** The loss of `input` against `target`. */
  abstract forward(input: Tensor, target: Tensor): Tensor;
}

/** The mean squared error, like nn.MSELoss. */
export class MSELoss extends Loss<RegressionLossOptions> {
  constructor(options: RegressionLossOptions = {}) {
    super('MSELoss', options, ['reduction']);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/** The mean absolute error, like nn.L1Loss. */
export class L1Loss extends Loss<RegressionLossOptions> {
  constructor(options: RegressionLossOptions = {}) {
    super('L1Loss', options, ['reduction']);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Quadratic below beta, linear above, like nn.SmoothL1Loss. */
export class SmoothL1Loss extends Loss<SmoothL1LossOptions> {
  /** Where the loss turns from quadratic to linear: 1 by default. */
  readonly beta: number;

  constructor(options: SmoothL1LossOptions = {}) {
    super('SmoothL1Loss', options, ['reduction', 'beta']);
    this.beta = options.beta ?? 1;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Binary cross-entropy of probabilities, like nn.BCELoss; weight is kept as a buffer. */
export class BCELoss extends Loss<BCELossOptions> {
  /** The buffer rescaling each element's loss, or null for none. */
  declare weight: Tensor | null;

  constructor(options: BCELossOptions = {}) {
    super('BCELoss', options, ['weight', 'reduction']);
    this.registerBuffer('weight', options.weight ?? null);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/**
 * Sigmoid and binary cross-entropy in one stable formula, like nn.BCEWithLogitsLoss; weight and
 * posWeight are buffers, under PyTorch's state-dict names `weight` and `pos_weight`.
 */
export class BCEWithLogitsLoss extends Loss<BCEWithLogitsLossOptions> {
  /** The buffer rescaling each element's loss, or null for none. */
  declare weight: Tensor | null;
  /** The buffer weighting the positive term per class, or null for none. */
  declare pos_weight: Tensor | null;

  constructor(options: BCEWithLogitsLossOptions = {}) {
    super('BCEWithLogitsLoss', options, ['weight', 'reduction', 'posWeight']);
    this.registerBuffer('weight', options.weight ?? null);
    this.registerBuffer('pos_weight', options.posWeight ?? null);
  }

  /** The positive class's weight (the buffer pos_weight). */
  get posWeight(): Tensor | null {
    return this.pos_weight;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}

/** The Kullback-Leibler divergence, like nn.KLDivLoss (input holds log-probabilities). */
export class KLDivLoss extends Loss<KLDivLossOptions> {
  /** Whether the target holds log-probabilities: false by default. */
  readonly logTarget: boolean;

  constructor(options: KLDivLossOptions = {}) {
    super('KLDivLoss', options, ['reduction', 'logTarget'], ['none', 'mean', 'sum', 'batchmean']);
    this.logTarget = options.logTarget ?? false;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

export type { LossReduction };
