/** The torch.optim-like namespace: optim.SGD, optim.Adam, optim.AdamW, optim.lrScheduler. */
export * as optim from './optim.ts';
/** torch.optim.lr_scheduler: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, LambdaLR, OneCycleLR, ReduceLROnPlateau. */
export * as lrScheduler from './schedulers.ts';
export {
  Optimizer,
  type Hyperparameters,
  type ParamGroup,
  type ParamGroupInput,
  type ParamsInput,
  type ParamState,
  type OptimizerStateDict,
} from './optimizer.ts';
export { SGD, type SGDHyperparameters, type SGDOptions } from './sgd.ts';
export { Adam, AdamW, type AdamHyperparameters, type AdamOptions } from './adam.ts';
export { RMSprop, type RMSpropHyperparameters, type RMSpropOptions } from './rmsprop.ts';
export { Adagrad, type AdagradHyperparameters, type AdagradOptions } from './adagrad.ts';
export { LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, LambdaLR, type LrLambda } from './lr-scheduler.ts';
export { OneCycleLR, type OneCycleLROptions } from './one-cycle-lr.ts';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './reduce-lr-on-plateau.ts';
