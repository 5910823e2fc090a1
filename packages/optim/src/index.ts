/** The torch.optim-like namespace: optim.SGD, optim.Adam, optim.AdamW, optim.lrScheduler. */
export * as optim from './optim.ts';
/** torch.optim.lr_scheduler: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR. */
export * as lrScheduler from './lr-scheduler.ts';
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
export { LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR } from './lr-scheduler.ts';
