import { checkOptions, type ConvOptions, type Generator, type Tensor } from '@mini/tensor';
import * as F from '../functional.ts';
import { Module } from '../module.ts';
import type { Parameter } from '../parameter.ts';
import { FACTORY_OPTIONS, fanInUniform_, newParameter, type FactoryOptions } from './factory.ts';

/** The keyword arguments of nn.Conv1d / nn.Conv2d after the kernel size, and the factory options. */
export interface ConvLayerOptions<Size> extends FactoryOptions {
  /** The step between kernel applications: 1 by default. */
  stride?: Size;
  /** Zero padding on both sides of each spatial dim, or 'valid' (none) or 'same' (output as large as the input; stride 1 only): 0 by default. */
  padding?: Size | 'same' | 'valid';
  /** The spacing between kernel elements: 1 by default. */
  dilation?: Size;
  /** Split input and output channels into this many groups convolved separately: 1 by default. */
  groups?: number;
  /** Add a learnable bias per output channel: true by default. */
  bias?: boolean;
  /** Only 'zeros' (the default) is supported. */
  paddingMode?: 'zeros';
}
const LAYER_OPTIONS = ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode', ...FACTORY_OPTIONS] as const;

type Size = number | readonly number[];

const tuple = (v: Size, n: number): number[] => (typeof v === 'number' ? new Array<number>(n).fill(v) : [...v]);
const pyTuple = (v: readonly number[]) => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;

/** What Conv1d and Conv2d share, like PyTorch's _ConvNd: parameters, their initialization, the printed form. */
abstract class ConvNd extends Module {
  /** The learnable kernel, of shape [outChannels, inChannels / groups, ...kernelSize]. */
  weight: Parameter;
  /** The learnable bias of shape [outChannels], or null when bias: false. */
  bias: Parameter | null = null;
  /** The kernel's size along each spatial dim. */
  readonly kernelSize: number[];
  /** The step between kernel applications along each spatial dim. */
  readonly stride: number[];
  /** The zero padding along each spatial dim, or 'same' / 'valid'. */
  readonly padding: number[] | 'same' | 'valid';
  /** The spacing between kernel elements along each spatial dim. */
  readonly dilation: number[];
  /** The number of channel groups convolved separately. */
  readonly groups: number;
  /** How the input is padded: always 'zeros'. */
  readonly paddingMode = 'zeros';

  constructor(
    /** The number of channels of the input. */
    readonly inChannels: number,
    /** The number of channels the convolution produces. */
    readonly outChannels: number,
    kernelSize: Size,
    options: ConvLayerOptions<Size>,
    spatial: number,
    name: string,
  ) {
    super();
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, paddingMode = 'zeros' } = checkOptions(name, options, LAYER_OPTIONS);
    if (!Number.isInteger(groups) || groups <= 0) throw new RangeError('groups must be a positive integer');
    if (inChannels % groups !== 0) throw new RangeError('in_channels must be divisible by groups');
    if (outChannels % groups !== 0) throw new RangeError('out_channels must be divisible by groups');
    if (paddingMode !== 'zeros') throw new RangeError(`padding_mode '${paddingMode}' is not supported (only 'zeros')`);
    if (typeof padding === 'string' && padding !== 'same' && padding !== 'valid') {
      throw new RangeError(`Invalid padding string '${padding}', should be one of ['valid', 'same']`);
    }
    this.kernelSize = tuple(kernelSize, spatial);
    this.stride = tuple(stride, spatial);
    this.padding = typeof padding === 'string' ? padding : tuple(padding, spatial);
    this.dilation = tuple(dilation, spatial);
    this.groups = groups;
    if (padding === 'same' && this.stride.some((s) => s !== 1)) throw new RangeError("padding='same' is not supported for strided convolutions");
    this.weight = newParameter([outChannels, inChannels / groups, ...this.kernelSize], options);
    if (bias) this.bias = newParameter([outChannels], options);
    else this.registerParameter('bias', null);
    this.resetParameters(options.generator);
  }

  /** PyTorch's initialization: kaiming_uniform(a = √5) for the weight, U(−1/√fan_in, 1/√fan_in) for the bias. */
  resetParameters(generator?: Generator): void {
    fanInUniform_(this.weight, this.bias, generator);
  }

  protected convOptions(): ConvOptions {
    const pair = (v: number[]) => (v.length === 1 ? v[0] : ([v[0], v[1]] as const));
    return { stride: pair(this.stride), padding: typeof this.padding === 'string' ? this.padding : pair(this.padding), dilation: pair(this.dilation), groups: this.groups };
  }

  extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=False';
    return s;
  }
}

/** 1-D convolution over [N, C, L] (or [C, L]) input, like nn.Conv1d: weight [out, in/groups, k]. */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly [number], options: ConvLayerOptions<number | readonly [number]> = {}) {
    super(inChannels, outChannels, kernelSize, options, 1, 'Conv1d');
  }

  forward(input: Tensor): Tensor {
    return F.conv1d(input, this.weight, this.bias, this.convOptions());
  }
}

/** 2-D convolution over [N, C, H, W] (or [C, H, W]) input, like nn.Conv2d: weight [out, in/groups, kH, kW]. */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly [number, number], options: ConvLayerOptions<number | readonly [number, number]> = {}) {
    super(inChannels, outChannels, kernelSize, options, 2, 'Conv2d');
  }

  forward(input: Tensor): Tensor {
    return F.conv2d(input, this.weight, this.bias, this.convOptions());
  }
}
