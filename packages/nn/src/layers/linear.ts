import { checkOptions, defaultGenerator, type Generator, type Tensor } from '@mini/tensor';
import * as F from '../functional.ts';
import { Module } from '../module.ts';
import type { Parameter } from '../parameter.ts';
import { FACTORY_OPTIONS, fanInUniform_, newParameter, type FactoryOptions } from './factory.ts';

export type { FactoryOptions };

/** y = x·Wᵀ + b with weight [out, in], initialized as PyTorch does, like nn.Linear. */
export class Linear extends Module {
  /** The weight, [outFeatures, inFeatures], as torch.nn.Linear's. */
  weight: Parameter;
  /** The bias, [outFeatures], or null when made with bias false. */
  bias: Parameter | null = null;

  /**
   * @param inFeatures The size of each input row.
   * @param outFeatures The size of each output row.
   * @param bias Whether the layer adds a learned bias.
   * @param options The dtype and device of the parameters.
   */
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    bias = true,
    options: FactoryOptions = {},
  ) {
    super();
    checkOptions('Linear', options, FACTORY_OPTIONS);
    this.weight = newParameter([outFeatures, inFeatures], options);
    if (bias) this.bias = newParameter([outFeatures], options);
    else this.registerParameter('bias', null);
    this.resetParameters(options.generator);
  }

  /** kaiming_uniform(a = √5) for the weight, i.e. U(−1/√in, 1/√in), and the same bound for the bias. */
  resetParameters(generator: Generator = defaultGenerator): void {
    fanInUniform_(this.weight, this.bias, generator);
  }

  forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  /** `in_features=..., out_features=..., bias=...`, as PyTorch prints a Linear. */
  extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias ? 'True' : 'False'}`;
  }
}
