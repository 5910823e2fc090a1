export * as optim from './optim.ts';
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
