import { checkOptions, type Generator, type Tensor } from '@mini/tensor';
import * as F from '../functional.ts';
import { Module } from '../module.ts';

/** The options of nn.Dropout after p: PyTorch's inplace (only false), and the generator that draws the masks. */
export interface DropoutLayerOptions {
  /** PyTorch's inplace: only false (the default) is supported. */
  inplace?: false;
  /** The generator that draws the masks: the default generator when omitted. */
  generator?: Generator;
}

/**
 * Zeroes each element with probability p and scales the rest by 1/(1 − p) in training mode; the
 * identity in eval mode, like nn.Dropout. Masks come from `generator` (the default one unless given).
 */
export class Dropout extends Module {
  /** The generator that draws the masks (undefined: the default generator). */
  readonly generator: Generator | undefined;

  constructor(
    /** The probability of zeroing each element: 0.5 by default. */
    readonly p = 0.5,
    options: DropoutLayerOptions = {},
  ) {
    super();
    const { inplace = false, generator } = checkOptions('Dropout', options, ['inplace', 'generator']);
    if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
    if (inplace !== false) throw new RangeError('Dropout: inplace=true is not supported');
    this.generator = generator;
  }

  forward(input: Tensor): Tensor {
    return F.dropout(input, this.p, this.training, { generator: this.generator });
  }

  extraRepr(): string {
    return `p=${this.p}, inplace=False`;
  }
}
