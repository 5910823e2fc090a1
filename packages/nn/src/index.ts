/** The torch.nn-like namespace: nn.Linear, nn.ReLU, nn.Sequential, nn.NLLLoss, nn.init, nn.functional, ... */
export * as nn from './nn.ts';
/** torch.nn.functional, by its customary short name: F.relu, F.logSoftmax, F.crossEntropy, ... */
export * as F from './functional.ts';
export * as functional from './functional.ts';
/** torch.nn.init: the in-place initializers (kaimingUniform_, xavierNormal_, zeros_, ...). */
export * as init from './init.ts';
export { Module } from './module.ts';
export { Parameter, isParameter } from './parameter.ts';
export { Linear, type FactoryOptions } from './layers/linear.ts';
export { ReLU, LogSoftmax, Softmax } from './layers/activation.ts';
export { Flatten } from './layers/flatten.ts';
export { Sequential } from './layers/sequential.ts';
// ---- convolution, pooling, normalization, dropout, embedding ----
export { Conv1d, Conv2d, type ConvLayerOptions } from './layers/conv.ts';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './layers/pool.ts';
export { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormLayerOptions, type LayerNormLayerOptions } from './layers/normalization.ts';
export { Dropout, type DropoutLayerOptions } from './layers/dropout.ts';
export { Embedding, type EmbeddingLayerOptions } from './layers/embedding.ts';

// activations, containers and shape layers (issue 14b)
export { Sigmoid, Tanh, GELU, LeakyReLU, SiLU, ELU, Softplus } from './layers/activations.ts';
export { ModuleList, ModuleDict } from './layers/containers.ts';
export { Identity } from './layers/identity.ts';
export { Unflatten } from './layers/unflatten.ts';
export { NLLLoss, CrossEntropyLoss } from './layers/loss.ts';
// losses (issue 14b)
export { MSELoss, L1Loss, SmoothL1Loss, BCELoss, BCEWithLogitsLoss, KLDivLoss, type LossReduction } from './losses/modules.ts';
export type { StateDict, LoadResult } from './state-dict.ts';
export { serialize, deserialize, type Safetensors } from './safetensors.ts';
