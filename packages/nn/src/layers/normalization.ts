import { add_, checkOptions, device as resolveDevice, zeros, type Tensor } from '@mini/tensor';
import * as F from '../functional.ts';
import { ones_, zeros_ } from '../init.ts';
import { Module } from '../module.ts';
import type { Parameter } from '../parameter.ts';
import { newParameter, type FactoryOptions } from './factory.ts';

/** Python's repr of a float (1e-05, 0.1), as PyTorch prints hyperparameters. */
function pyFloat(v: number): string {
  if (v !== 0 && Math.abs(v) < 1e-4) return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

/** The keyword arguments of nn.BatchNorm1d / nn.BatchNorm2d after num_features. */
export interface BatchNormLayerOptions {
  /** Added to the variance for numerical stability: 1e-5 by default. */
  eps?: number;
  /** The running statistics' update factor; null: their cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel weight and bias: true by default. */
  affine?: boolean;
  /** Keep running mean and variance buffers (used in eval mode): true by default. */
  trackRunningStats?: boolean;
  /** The device of the parameters and buffers: the default device when omitted. */
  device?: FactoryOptions['device'];
  /** The dtype of the parameters and buffers: float32 by default. */
  dtype?: FactoryOptions['dtype'];
}
const BATCH_NORM_OPTIONS = ['eps', 'momentum', 'affine', 'trackRunningStats', 'device', 'dtype'] as const;

/**
 * What BatchNorm1d and BatchNorm2d share, like PyTorch's _BatchNorm: the affine parameters
 * `weight` and `bias`, and the buffers `running_mean`, `running_var`, `num_batches_tracked`
 * (PyTorch's state-dict names) when running statistics are tracked.
 */
abstract class BatchNorm extends Module {
  /** The learnable per-channel scale γ (initially 1), or null when affine is false. */
  weight: Parameter | null = null;
  /** The learnable per-channel shift β (initially 0), or null when affine is false. */
  bias: Parameter | null = null;
  /** The buffer of the running per-channel mean, or null when running statistics are not tracked. */
  declare running_mean: Tensor | null;
  /** The buffer of the running per-channel variance, or null when running statistics are not tracked. */
  declare running_var: Tensor | null;
  /** The buffer counting the training batches seen (int32, 0-d), or null when running statistics are not tracked. */
  declare num_batches_tracked: Tensor | null;
  /** Added to the variance for numerical stability. */
  readonly eps: number;
  /** The running statistics' update factor; null: their cumulative average. */
  readonly momentum: number | null;
  /** Whether the layer has a learnable weight and bias. */
  readonly affine: boolean;
  /** Whether the layer keeps running statistics. */
  readonly trackRunningStats: boolean;

  constructor(
    /** The number of channels C. */
    readonly numFeatures: number,
    options: BatchNormLayerOptions,
    name: string,
  ) {
    super();
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true, device, dtype = 'float32' } = checkOptions(name, options, BATCH_NORM_OPTIONS);
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new RangeError(`${name}: num_features must be a positive integer, found ${numFeatures}`);
    if (momentum !== null && !(momentum >= 0 && momentum <= 1)) throw new RangeError(`${name}: momentum must be in [0, 1] or null, found ${momentum}`);
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    if (affine) {
      this.weight = newParameter([numFeatures], { device, dtype });
      this.bias = newParameter([numFeatures], { device, dtype });
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    const on = { device: resolveDevice(device), dtype };
    this.registerBuffer('running_mean', trackRunningStats ? zeros([numFeatures], on) : null);
    this.registerBuffer('running_var', trackRunningStats ? zeros([numFeatures], on) : null);
    this.registerBuffer('num_batches_tracked', trackRunningStats ? zeros([], { device: on.device, dtype: 'int32' }) : null);
    this.resetParameters();
  }

  /** The buffer running_mean under its camelCase name. */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }
  /** The buffer running_var under its camelCase name. */
  get runningVar(): Tensor | null {
    return this.running_var;
  }
  /** The buffer num_batches_tracked (int32, 0-d) under its camelCase name. */
  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  /** Running mean 0, running variance 1, no batches tracked, as reset_running_stats. */
  resetRunningStats(): void {
    if (!this.running_mean) return;
    zeros_(this.running_mean);
    ones_(this.running_var!);
    zeros_(this.num_batches_tracked!);
  }

  /** The running statistics reset, weight 1 and bias 0, as reset_parameters. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  protected abstract checkInputDim(input: Tensor): void;

  forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    const tracking = this.training && this.trackRunningStats && this.num_batches_tracked !== null;
    if (tracking) add_(this.num_batches_tracked!, 1);
    const useBatchStats = this.training || this.running_mean === null;
    const track = !this.training || this.trackRunningStats;
    return F.batchNorm(input, track ? this.running_mean : null, track ? this.running_var : null, {
      weight: this.weight,
      bias: this.bias,
      training: useBatchStats,
      momentum: this.momentum,
      eps: this.eps,
      numBatchesTracked: tracking ? this.num_batches_tracked : null,
    });
  }

  extraRepr(): string {
    const momentum = this.momentum === null ? 'None' : pyFloat(this.momentum);
    const py = (b: boolean) => (b ? 'True' : 'False');
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${momentum}, affine=${py(this.affine)}, track_running_stats=${py(this.trackRunningStats)}`;
  }
}

/** Batch normalization of [N, C] or [N, C, L] input over the batch (and L), like nn.BatchNorm1d. */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super(numFeatures, options, 'BatchNorm1d');
  }

  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3) throw new RangeError(`expected 2D or 3D input (got ${input.ndim}D input)`);
  }
}

/** Batch normalization of [N, C, H, W] input over the batch and the spatial dims, like nn.BatchNorm2d. */
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super(numFeatures, options, 'BatchNorm2d');
  }

  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 4) throw new RangeError(`expected 4D input (got ${input.ndim}D input)`);
  }
}

/** The keyword arguments of nn.LayerNorm after normalized_shape. */
export interface LayerNormLayerOptions {
  /** Added to the variance for numerical stability: 1e-5 by default. */
  eps?: number;
  /** Learn a weight and bias of normalizedShape: true by default. */
  elementwiseAffine?: boolean;
  /** The device of the parameters: the default device when omitted. */
  device?: FactoryOptions['device'];
  /** The dtype of the parameters: float32 by default. */
  dtype?: FactoryOptions['dtype'];
}

/** Layer normalization over the last dims of the input, like nn.LayerNorm: weight 1 and bias 0 of normalized_shape. */
export class LayerNorm extends Module {
  /** The learnable elementwise scale (initially 1), or null when elementwiseAffine is false. */
  weight: Parameter | null = null;
  /** The learnable elementwise shift (initially 0), or null when elementwiseAffine is false. */
  bias: Parameter | null = null;
  /** The trailing dims normalized over. */
  readonly normalizedShape: number[];
  /** Added to the variance for numerical stability. */
  readonly eps: number;
  /** Whether the layer has a learnable weight and bias. */
  readonly elementwiseAffine: boolean;

  constructor(normalizedShape: number | readonly number[], options: LayerNormLayerOptions = {}) {
    super();
    const { eps = 1e-5, elementwiseAffine = true, device, dtype } = checkOptions('LayerNorm', options, ['eps', 'elementwiseAffine', 'device', 'dtype']);
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    if (elementwiseAffine) {
      this.weight = newParameter(this.normalizedShape, { device, dtype });
      this.bias = newParameter(this.normalizedShape, { device, dtype });
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    this.resetParameters();
  }

  /** Weight 1 and bias 0, as reset_parameters. */
  resetParameters(): void {
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  forward(input: Tensor): Tensor {
    return F.layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  extraRepr(): string {
    const shape = `(${this.normalizedShape.join(', ')}${this.normalizedShape.length === 1 ? ',' : ''})`;
    return `${shape}, eps=${pyFloat(this.eps)}, elementwise_affine=${this.elementwiseAffine ? 'True' : 'False'}`;
  }
}
