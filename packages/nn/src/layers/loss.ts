import { checkOptions, type CrossEntropyOptions, type NllOptions, type Reduction, type Tensor } from '@mini/tensor';
import * as F from '../functional.ts';
import { Module } from '../module.ts';

abstract class ClassLoss extends Module {
  /** How the loss reduces over the batch: 'mean' (default), 'sum' or 'none'. */
  readonly reduction: Reduction;
  /** A target value that contributes nothing to the loss or its gradient (-100 by default, as PyTorch's). */
  readonly ignoreIndex: number;
  /** The class weights (a buffer, as in PyTorch's weighted losses), or null. */
  declare weight: Tensor | null;

  constructor(name: string, options: CrossEntropyOptions, known: readonly (keyof CrossEntropyOptions)[]) {
    super();
    const { weight = null, reduction = 'mean', ignoreIndex = -100 } = checkOptions(name, options, known);
    this.registerBuffer('weight', weight);
    this.reduction = reduction;
    this.ignoreIndex = ignoreIndex;
  }

  /** The options passed on to the functional form. */
  protected get options(): NllOptions {
    return { weight: this.weight, reduction: this.reduction, ignoreIndex: this.ignoreIndex };
  }
}

/** The negative log-likelihood loss of log-probabilities, like nn.NLLLoss. */
export class NLLLoss extends ClassLoss {
  constructor(options: NllOptions = {}) {
    super('NLLLoss', options, ['weight', 'reduction', 'ignoreIndex']);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, this.options);
  }
}

/** logSoftmax + NLLLoss on raw scores, like nn.CrossEntropyLoss. */
export class CrossEntropyLoss extends ClassLoss {
  /** The share of probability moved from the target class to a uniform distribution (default 0), as PyTorch's label_smoothing. */
  readonly labelSmoothing: number;

  constructor(options: CrossEntropyOptions = {}) {
    super('CrossEntropyLoss', options, ['weight', 'reduction', 'ignoreIndex', 'labelSmoothing']);
    this.labelSmoothing = options.labelSmoothing ?? 0;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, { ...this.options, labelSmoothing: this.labelSmoothing });
  }
}
