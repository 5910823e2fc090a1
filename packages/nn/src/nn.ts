/** The torch.nn-like namespace: `import { nn } from '@mini/nn'`, then nn.Linear, nn.init, nn.functional. */
export { Module } from './module.ts';
export { Parameter } from './parameter.ts';
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
export * as init from './init.ts';
export * as functional from './functional.ts';
// nn.utils (issue 14b)
/** torch.nn.utils: clipGradNorm_ and clipGradValue_. */
export * as utils from './utils/index.ts';
