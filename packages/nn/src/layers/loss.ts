import type { NllOptions, Reduction, Tensor } from '@mini/tensor';
import * as F from '../functional.ts';
import { Module } from '../module.ts';

abstract class ClassLoss extends Module {
  readonly reduction: Reduction;
  readonly ignoreIndex: number;

  constructor({ reduction = 'mean', ignoreIndex = -100 }: NllOptions = {}) {
    super();
    this.reduction = reduction;
    this.ignoreIndex = ignoreIndex;
  }

  protected get options(): NllOptions {
    return { reduction: this.reduction, ignoreIndex: this.ignoreIndex };
  }
}

/** The negative log-likelihood loss of log-probabilities, like nn.NLLLoss. */
export class NLLLoss extends ClassLoss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, this.options);
  }
}

/** logSoftmax + NLLLoss on raw scores, like nn.CrossEntropyLoss. */
export class CrossEntropyLoss extends ClassLoss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, this.options);
  }
}
