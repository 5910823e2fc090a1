import { checkOptions, type AdaptiveSize, type AvgPoolOptions, type Pair, type Tensor } from '@mini/tensor';
import * as F from '../functional.ts';
import { Module } from '../module.ts';

const show = (v: Pair | null | undefined) => (v === null || v === undefined ? 'None' : typeof v === 'number' ? String(v) : `(${v.join(', ')})`);

/** Max pooling over [N, C, H, W] (or [C, H, W]), like nn.MaxPool2d; with returnIndices, forward returns [output, indices]. */
export class MaxPool2d extends Module {
  /** The window step (the kernel size unless given). */
  readonly stride: Pair;
  /** Implicit -∞ padding on both sides of H and W. */
  readonly padding: Pair;
  /** The spacing between window elements. */
  readonly dilation: Pair;
  /** Whether forward also returns each window's argmax. */
  readonly returnIndices: boolean;
  /** Whether the output size is rounded up rather than down. */
  readonly ceilMode: boolean;

  constructor(
    /** The window's [KH, KW] (one number for both). */
    readonly kernelSize: Pair,
    options: F.MaxPool2dOptions = {},
  ) {
    super();
    checkOptions('MaxPool2d', options, ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode']);
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    this.returnIndices = options.returnIndices ?? false;
    this.ceilMode = options.ceilMode ?? false;
  }

  forward(input: Tensor): Tensor | [Tensor, Tensor] {
    const options = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    return this.returnIndices ? F.maxPool2d(input, this.kernelSize, { ...options, returnIndices: true }) : F.maxPool2d(input, this.kernelSize, options);
  }

  extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}, dilation=${show(this.dilation)}, ceil_mode=${this.ceilMode ? 'True' : 'False'}`;
  }
}

/** Average pooling over [N, C, H, W] (or [C, H, W]), like nn.AvgPool2d. */
export class AvgPool2d extends Module {
  /** The pooling options with their defaults filled in. */
  readonly options: Required<Omit<AvgPoolOptions, 'divisorOverride'>> & {
    /** Divide every window's sum by this number instead of its size; null: the window size. */
    divisorOverride: number | null;
  };

  constructor(
    /** The window's [KH, KW] (one number for both). */
    readonly kernelSize: Pair,
    options: AvgPoolOptions = {},
  ) {
    super();
    checkOptions('AvgPool2d', options, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
    this.options = {
      stride: options.stride ?? kernelSize,
      padding: options.padding ?? 0,
      ceilMode: options.ceilMode ?? false,
      countIncludePad: options.countIncludePad ?? true,
      divisorOverride: options.divisorOverride ?? null,
    };
  }

  forward(input: Tensor): Tensor {
    return F.avgPool2d(input, this.kernelSize, this.options);
  }

  extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, stride=${show(this.options.stride)}, padding=${show(this.options.padding)}`;
  }
}

/** Average pooling to a fixed output size (null keeps the input's), like nn.AdaptiveAvgPool2d. */
export class AdaptiveAvgPool2d extends Module {
  constructor(
    /** The output's [OH, OW] (one number for both; a null entry keeps the input's size). */
    readonly outputSize: AdaptiveSize,
  ) {
    super();
  }

  forward(input: Tensor): Tensor {
    return F.adaptiveAvgPool2d(input, this.outputSize);
  }

  extraRepr(): string {
    const s = this.outputSize;
    return `output_size=${typeof s === 'number' ? s : `(${s.map((v) => v ?? 'None').join(', ')})`}`;
  }
}
