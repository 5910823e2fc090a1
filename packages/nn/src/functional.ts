import * as core from '@mini/tensor';
import type { AdaptiveSize, AvgPoolOptions, BatchNormOptions, ConvOptions, CrossEntropyOptions, Generator, MaxPoolOptions, NllOptions, Pair, Tensor } from '@mini/tensor';
import { warn } from '@mini/tensor/internal';

/** Like torch.nn.functional: the stateless forms of the layers and losses. */

/** max(x, 0) elementwise, like torch.nn.functional.relu. */
export function relu(input: Tensor): Tensor {
  return core.relu(input);
}

const warned = new Set<string>();

/** PyTorch's choice when softmax is called without dim (deprecated there too): 0 for 0-, 1- and 3-D input, else 1. */
function implicitDim(name: string, ndim: number): number {
  if (!warned.has(name)) {
    warned.add(name);
    warn(`Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`);
  }
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

/** log(softmax(x)) along `dim`, like torch.nn.functional.log_softmax (an implicit dim warns, as PyTorch does). */
export function logSoftmax(input: Tensor, dim?: number): Tensor {
  return core.logSoftmax(input, dim ?? implicitDim('log_softmax', input.ndim));
}

/** softmax along `dim`, like torch.nn.functional.softmax (an implicit dim warns, as PyTorch does). */
export function softmax(input: Tensor, dim?: number): Tensor {
  return core.softmax(input, dim ?? implicitDim('softmax', input.ndim));
}

/** input·weightᵀ + bias (then ReLU) over input [..., in] in one fused kernel. */
function fusedLinear(input: Tensor, weight: Tensor, bias: Tensor | null, relu: boolean): Tensor {
  if (input.ndim === 2) return core.linear(input, weight, bias, relu);
  if (input.ndim === 1) return core.linear(input.unsqueeze(0), weight, bias, relu).squeeze(0);
  const lead = input.shape.slice(0, -1);
  const flat = input.reshape(-1, input.shape[input.ndim - 1]);
  return core.linear(flat, weight, bias, relu).reshape(...lead, weight.shape[0]);
}

/** y = x·Wᵀ + b, with weight [out, in] as in PyTorch. */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return fusedLinear(input, weight, bias, false);
}

/** relu(linear(input, weight, bias)) in one kernel forward (and one fused step backward). */
export function linearRelu(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return fusedLinear(input, weight, bias, true);
}

/** Negative log-likelihood of log-probabilities [N, C] against int32 class targets [N]. */
export function nllLoss(input: Tensor, target: Tensor, options: NllOptions = {}): Tensor {
  return core.nllLoss(input, target, options);
}

/** logSoftmax over the class dim followed by nllLoss, like F.cross_entropy with class-index targets (weight, labelSmoothing): one fused kernel each way. */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  return core.crossEntropy(input, target, options);
}

// ---- convolution, pooling, normalization, dropout, embedding ----

/** 2-D convolution of input [N, C, H, W] (or [C, H, W]) with weight [out, C/groups, kH, kW], like F.conv2d. */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions = {}): Tensor {
  return core.conv2d(input, weight, bias, options);
}

/** 1-D convolution of input [N, C, L] (or [C, L]) with weight [out, C/groups, k], like F.conv1d. */
export function conv1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions = {}): Tensor {
  return core.conv1d(input, weight, bias, options);
}

/** F.max_pool2d's keyword arguments; returnIndices also returns each window's argmax (h·W + w, int32). */
export interface MaxPool2dOptions extends MaxPoolOptions {
  /** Also return each window's argmax, as [output, indices]: false by default. */
  returnIndices?: boolean;
}

/** Max pooling over [N, C, H, W] (or [C, H, W]), like F.max_pool2d. */
export function maxPool2d(input: Tensor, kernelSize: Pair, options?: MaxPool2dOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(input: Tensor, kernelSize: Pair, options: MaxPool2dOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: Pair, options: MaxPool2dOptions = {}): Tensor | [Tensor, Tensor] {
  const { returnIndices = false, ...rest } = options;
  return returnIndices ? core.maxPool2dWithIndices(input, kernelSize, rest) : core.maxPool2d(input, kernelSize, rest);
}

/** Average pooling over [N, C, H, W] (or [C, H, W]), like F.avg_pool2d. */
export function avgPool2d(input: Tensor, kernelSize: Pair, options: AvgPoolOptions = {}): Tensor {
  return core.avgPool2d(input, kernelSize, options);
}

/** Average pooling to a fixed output size (null keeps the input's), like F.adaptive_avg_pool2d. */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return core.adaptiveAvgPool2d(input, outputSize);
}

/** F.batch_norm's keyword arguments (PyTorch's defaults: training false, momentum 0.1, eps 1e-5). */
export type BatchNormFunctionOptions = Omit<BatchNormOptions, 'numBatchesTracked'>;

/**
 * Batch normalization over dim 1 of input [N, C, ...], like F.batch_norm: by the batch's statistics
 * when training (updating the running ones in place when given), else by the running ones.
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormFunctionOptions & Pick<BatchNormOptions, 'numBatchesTracked'> = {}): Tensor {
  return core.batchNorm(input, runningMean, runningVar, core.checkOptions('batch_norm', options, ['weight', 'bias', 'training', 'momentum', 'eps', 'numBatchesTracked']));
}

/** Layer normalization over the last dims (normalizedShape) of input, like F.layer_norm. */
export function layerNorm(input: Tensor, normalizedShape: readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  return core.layerNorm(input, normalizedShape, weight, bias, eps);
}

/** F.dropout's extra option: the generator that draws the mask (the default generator unless given). */
export interface DropoutOptions {
  /** The generator that draws the mask: the default generator when omitted. */
  generator?: Generator;
}

/**
 * Zeroes each element with probability p and scales the rest by 1/(1 − p) when training; the
 * input itself otherwise, like F.dropout.
 */
export function dropout(input: Tensor, p = 0.5, training = true, options: DropoutOptions = {}): Tensor {
  const { generator } = core.checkOptions('dropout', options, ['generator']);
  return core.dropout(input, p, training, generator);
}

/** F.embedding's keyword arguments that mini supports. */
export interface EmbeddingOptions {
  /** The row whose gradient stays zero (negative counts from the end). */
  paddingIdx?: number | null;
}

/** The rows of weight [num, dim] picked by int32 indices of any shape, output [...input, dim], like F.embedding. */
export function embedding(input: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  const { paddingIdx = null } = core.checkOptions('embedding', options, ['paddingIdx']);
  return core.embedding(input, weight, paddingIdx);
}

// ---- losses (issue 14b): F.mse_loss, F.l1_loss, F.smooth_l1_loss, F.binary_cross_entropy(_with_logits), F.kl_div ----
export { mseLoss, l1Loss, smoothL1Loss, type RegressionLossOptions, type SmoothL1LossOptions } from './losses/regression.ts';
export { binaryCrossEntropy, binaryCrossEntropyWithLogits, type BCELossOptions, type BCEWithLogitsLossOptions } from './losses/binary.ts';
export { klDiv, type KLDivLossOptions } from './losses/kl-div.ts';

// ---- encoding and padding (issue 14b): F.one_hot, F.pad ----
export { oneHot } from './one-hot.ts';
export { pad, type PadMode } from './pad.ts';

// ---- activations (issue 14b): the elementwise table's ops, in F.'s argument order ----
/** 1/(1 + e^−x), like F.sigmoid. */
export function sigmoid(input: Tensor): Tensor {
  return core.sigmoid(input);
}

/** The hyperbolic tangent, like F.tanh. */
export function tanh(input: Tensor): Tensor {
  return core.tanh(input);
}

/** x·Φ(x), or its tanh approximation with approximate 'tanh', like F.gelu. */
export function gelu(input: Tensor, options: core.GeluOptions = {}): Tensor {
  return core.gelu(input, options);
}

/** x for x > 0, else negativeSlope·x, like F.leaky_relu. */
export function leakyRelu(input: Tensor, negativeSlope = 0.01): Tensor {
  return core.leakyRelu(input, negativeSlope);
}

/** x·sigmoid(x), like F.silu. */
export function silu(input: Tensor): Tensor {
  return core.silu(input);
}

/** x for x > 0, else alpha·(e^x − 1), like F.elu. */
export function elu(input: Tensor, alpha = 1): Tensor {
  return core.elu(input, alpha);
}

/** log(1 + e^(beta·x))/beta, linear above threshold, like F.softplus. */
export function softplus(input: Tensor, beta = 1, threshold = 20): Tensor {
  return core.softplus(input, beta, threshold);
}
