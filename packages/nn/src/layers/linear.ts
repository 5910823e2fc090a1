import { checkOptions, defaultGenerator, device as resolveDevice, empty, type DeviceLike, type DType, type Generator, type Tensor } from '@mini/tensor';
import * as F from '../functional.ts';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init.ts';
import { Module } from '../module.ts';
import { Parameter } from '../parameter.ts';

export interface FactoryOptions {
  device?: DeviceLike;
  dtype?: DType;
  /** Draws the initial values (the seeded default generator unless given). */
  generator?: Generator;
}

function newParameter(shape: number[], { device, dtype = 'float32' }: FactoryOptions): Parameter {
  const data = empty(shape, { dtype, device: resolveDevice(device) });
  const p = new Parameter(data);
  data.dispose();
  return p;
}

/** y = x·Wᵀ + b with weight [out, in], initialized as PyTorch does, like nn.Linear. */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null = null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    bias = true,
    options: FactoryOptions = {},
  ) {
    super();
    checkOptions('Linear', options, ['device', 'dtype', 'generator']);
    this.weight = newParameter([outFeatures, inFeatures], options);
    if (bias) this.bias = newParameter([outFeatures], options);
    else this.registerParameter('bias', null);
    this.resetParameters(options.generator);
  }

  /** kaiming_uniform(a = √5) for the weight, i.e. U(−1/√in, 1/√in), and the same bound for the bias. */
  resetParameters(generator: Generator = defaultGenerator): void {
    kaimingUniform_(this.weight, Math.sqrt(5), 'fan_in', 'leaky_relu', generator);
    if (this.bias) {
      const { fanIn } = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound, generator);
    }
  }

  forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias ? 'True' : 'False'}`;
  }
}
