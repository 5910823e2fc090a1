/// <reference types="@webgpu/types" preserve="true" />
export { Tensor, isTensor } from './tensor.ts';
export type { DType, TypedArray } from './dtype.ts';
export { itemSize, promoteTypes, isFloating, floatType, DTYPES } from './dtype.ts';
export { numel, broadcastShapes, contiguousStrides, formatShape, type Shape } from './shape.ts';
export { Generator, defaultGenerator, manualSeed } from './random.ts';
export {
  Device,
  device,
  init,
  initWebGPU,
  flush,
  throttle,
  shutdown,
  getDefaultDevice,
  setDefaultDevice,
  webgpuIfReady,
  type DeviceLike,
  type DeviceType,
} from './device/device.ts';
export { WebGPURuntime } from './device/webgpu.ts';
export {
  tensor,
  fromArray,
  upload,
  zeros,
  ones,
  full,
  empty,
  zerosLike,
  onesLike,
  fullLike,
  linspace,
  eye,
  arange,
  rand,
  randn,
  randLike,
  randnLike,
  randint,
  randperm,
  fill_,
  type TensorOptions,
  type RandomOptions,
  type SizeArgs,
  type NestedArray,
} from './creation.ts';
export { tidy, keep, isKept, memory, flushAtScopeEnd } from './memory.ts';
export type { MemoryInfo } from './storage.ts';
export { GradFn, isGradEnabled, setGradEnabled, type BackwardFn, type GradHook } from './autograd-hooks.ts';
export { runInPlace, markModified, type InplaceOp } from './autograd/inplace.ts';
export { noGrad, enableGrad } from './autograd/grad-mode.ts';
/** torch.autograd's functions (backward, grad), like torch.autograd. */
export * as autograd from './autograd/api.ts';
export type { GradOptions } from './autograd/engine.ts';
export {
  add,
  sub,
  mul,
  div,
  pow,
  maximum,
  minimum,
  neg,
  abs,
  sign,
  exp,
  log,
  sqrt,
  rsqrt,
  sin,
  cos,
  floor,
  ceil,
  round,
  relu,
  reluBackward,
  sigmoid,
  tanh,
  gelu,
  leakyRelu,
  elu,
  silu,
  softplus,
  eq,
  ne,
  gt,
  lt,
  ge,
  le,
  isnan,
  isinf,
  isclose,
  allclose,
  equal,
  where,
  clamp,
  copyInto,
  add_,
  mul_,
  type Operand,
  type GeluOptions,
  type CloseOptions,
} from './ops/elementwise.ts';
export { checkOptions } from './options.ts';
export { sum, mean, max, min, amax, amin, argmax, argmin, prod, all, any, sumToShape, valuesIndices, type Dims, type ValuesIndices } from './ops/reduce.ts';
export { variance, variance as var, std, logsumexp, type VarOptions, type VarArgs } from './ops/reduce-stats.ts';
export { norm, type NormOrder } from './ops/reduce-norm.ts';
export { cumsum } from './ops/cumsum.ts';
export { sort, argsort, topk, type SortOptions, type SortArgs, type TopkOptions, type TopkArgs } from './ops/sort.ts';
export { matmul, mm, bmm, dot, linear, matmulKernel, MATMUL_KERNELS, type MatmulKernel } from './ops/matmul.ts';
export { logSoftmax, softmax } from './ops/softmax.ts';
export { nllLoss, type NllOptions, type Reduction } from './ops/nll.ts';
export { crossEntropy, type CrossEntropyOptions } from './ops/cross-entropy.ts';
export { indexSelect } from './ops/index-select.ts';
export { gather, scatter, scatterAdd, type ScatterOptions } from './ops/gather-scatter.ts';
export { cat, stack, repeat, flip } from './ops/rearrange.ts';
export { tril, triu, maskedFill, maskedSelect } from './ops/masks.ts';
export { einsum } from './ops/einsum.ts';
export { normalizeBytes, gatherBatch, type NormalizeOptions } from './ops/bytes.ts';
export {
  reshape,
  view,
  transpose,
  permute,
  narrow,
  slice,
  select,
  diagonal,
  split,
  chunk,
  expand,
  contiguous,
  clone,
  squeeze,
  unsqueeze,
  flatten,
  toCpu,
} from './ops/views.ts';
// ---- convolution, pooling, normalization, dropout, embedding ----
export { conv1d, conv2d, type ConvOptions } from './ops/conv.ts';
export type { Pair } from './ops/window.ts';
export { dropout } from './ops/dropout.ts';
export { embedding } from './ops/embedding.ts';
export { batchNorm, layerNorm, type BatchNormOptions } from './ops/norm.ts';
export { maxPool2d, maxPool2dWithIndices, avgPool2d, adaptiveAvgPool2d, type MaxPoolOptions, type AvgPoolOptions, type AdaptiveSize } from './ops/pool.ts';
