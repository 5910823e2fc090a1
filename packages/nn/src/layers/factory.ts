import { defaultGenerator, device as resolveDevice, empty, type DeviceLike, type DType, type Generator } from '@mini/tensor';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init.ts';
import { Parameter } from '../parameter.ts';

/** PyTorch's factory keyword arguments of a layer (device, dtype), plus the generator that draws its initial values. */
export interface FactoryOptions {
  /** The device of the parameters: the default device when omitted. */
  device?: DeviceLike;
  /** The dtype of the parameters: float32 by default. */
  dtype?: DType;
  /** Draws the initial values (the seeded default generator unless given). */
  generator?: Generator;
}

/** The factory option names, for checkOptions. */
export const FACTORY_OPTIONS = ['device', 'dtype', 'generator'] as const;

/** A parameter of `shape` with uninitialized values on the options' device and dtype (float32 by default). */
export function newParameter(shape: number[], { device, dtype = 'float32' }: FactoryOptions): Parameter {
  const data = empty(shape, { dtype, device: resolveDevice(device) });
  const p = new Parameter(data);
  data.dispose();
  return p;
}

/**
 * PyTorch's reset_parameters of Linear and the convolutions: kaiming_uniform(a = √5) for the
 * weight, i.e. U(−1/√fan_in, 1/√fan_in), and the same bound for the bias.
 */
export function fanInUniform_(weight: Parameter, bias: Parameter | null, generator: Generator = defaultGenerator): void {
  kaimingUniform_(weight, Math.sqrt(5), 'fan_in', 'leaky_relu', generator);
  if (bias) {
    const { fanIn } = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound, generator);
  }
}
