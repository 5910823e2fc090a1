import { warn } from '@mini/tensor/internal';
import type { Hyperparameters, Optimizer } from './optimizer.ts';

/**
 * Base class of learning-rate schedulers, like torch.optim.lr_scheduler.LRScheduler: call step()
 * once per epoch, after optimizer.step(). Each step sets every group's lr from its current lr
 * (PyTorch's chainable form), so schedulers compose.
 */
export abstract class LRScheduler {
  /** The epoch count: 0 right after construction, +1 per step(). */
  lastEpoch: number;
  /** Each group's lr when the scheduler was made (its initialLr), as PyTorch's base_lrs. */
  readonly baseLrs: number[];
  protected lastLr: number[] = [];
  /** Calls of step(), the one made at construction included. */
  protected stepCount = 0;

  /**
   * @param optimizer The optimizer whose groups' lr is scheduled.
   * @param lastEpoch The last epoch done (-1: start afresh; else resume, with each group's initialLr set).
   */
  constructor(
    readonly optimizer: Optimizer<Hyperparameters>,
    lastEpoch = -1,
  ) {
    optimizer.paramGroups.forEach((group, i) => {
      if (lastEpoch === -1) group.initialLr ??= group.lr;
      else if (group.initialLr === undefined) {
        throw new Error(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      }
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
  }

  /** Subclasses call this at the end of their constructor: it sets the lr of epoch 0. */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The learning rates of the next epoch, from the groups' current ones (PyTorch's get_lr). */
  protected abstract getLr(): number[];

  protected get groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Advances the schedule by one epoch and sets each group's lr; call it after optimizer.step(). */
  step(): void {
    if (this.stepCount === 1 && this.optimizer.stepCount < 1) {
      warn(
        'Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should call them in the opposite order: ' +
          '`optimizer.step()` before `lr_scheduler.step()`. Failure to do this will result in PyTorch skipping the first value of the learning rate schedule.',
      );
    }
    this.stepCount++;
    this.lastEpoch++;
    const lrs = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]));
    this.lastLr = this.groupLrs;
  }

  /** The learning rates the last step() set, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Fields that stateDict() leaves out besides the optimizer (functions cannot be saved). */
  protected unsaved(): string[] {
    return [];
  }

  /** Every field but the optimizer (and those unsaved() names), like state_dict(). */
  stateDict(): Record<string, unknown> {
    const skip = new Set(['optimizer', ...this.unsaved()]);
    return structuredClone(Object.fromEntries(Object.entries(this).filter(([key]) => !skip.has(key))));
  }

  /** Restores the scheduler from stateDict()'s output, like torch's load_state_dict. */
  loadStateDict(state: Record<string, unknown>): void {
    const skip = new Set(['optimizer', ...this.unsaved()]);
    Object.assign(this, structuredClone(Object.fromEntries(Object.entries(state).filter(([key]) => !skip.has(key)))));
  }
}

/** Multiplies the lr by gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  /**
   * @param optimizer The optimizer whose groups' lr is scheduled.
   * @param stepSize Epochs between two decays.
   * @param gamma The factor of each decay.
   * @param lastEpoch The last epoch done (-1: start afresh; else resume, with each group's initialLr set).
   */
  constructor(
    optimizer: Optimizer<Hyperparameters>,
    readonly stepSize: number,
    readonly gamma = 0.1,
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    this.initialStep();
  }

  /** The lr of each group for the epoch just reached, PyTorch's get_lr(). */
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groupLrs;
    return this.groupLrs.map((lr) => lr * this.gamma);
  }
}

/** Multiplies the lr by gamma at each milestone epoch (twice at a milestone listed twice). */
export class MultiStepLR extends LRScheduler {
  /** How many times each milestone epoch was listed (PyTorch's Counter). */
  readonly milestones: Record<number, number> = {};

  /**
   * @param optimizer The optimizer whose groups' lr is scheduled.
   * @param milestones The epochs at which the lr decays.
   * @param gamma The factor of each decay.
   * @param lastEpoch The last epoch done (-1: start afresh; else resume, with each group's initialLr set).
   */
  constructor(
    optimizer: Optimizer<Hyperparameters>,
    milestones: readonly number[],
    readonly gamma = 0.1,
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    for (const m of milestones) this.milestones[m] = (this.milestones[m] ?? 0) + 1;
    this.initialStep();
  }

  /** The lr of each group for the epoch just reached, PyTorch's get_lr(). */
  protected getLr(): number[] {
    const count = this.milestones[this.lastEpoch];
    if (!count) return this.groupLrs;
    return this.groupLrs.map((lr) => lr * this.gamma ** count);
  }
}

/** Multiplies the lr by gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  /**
   * @param optimizer The optimizer whose groups' lr is scheduled.
   * @param gamma The factor of each epoch's decay.
   * @param lastEpoch The last epoch done (-1: start afresh; else resume, with each group's initialLr set).
   */
  constructor(
    optimizer: Optimizer<Hyperparameters>,
    readonly gamma: number,
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    this.initialStep();
  }

  /** The lr of each group for the epoch just reached, PyTorch's get_lr(). */
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs;
    return this.groupLrs.map((lr) => lr * this.gamma);
  }
}

/**
 * Cosine annealing from the initial lr down to etaMin over tMax epochs, then back up (SGDR without
 * restarts), with PyTorch's recursive form.
 */
export class CosineAnnealingLR extends LRScheduler {
  /**
   * @param optimizer The optimizer whose groups' lr is scheduled.
   * @param tMax Epochs of half a cosine period.
   * @param etaMin The lowest lr.
   * @param lastEpoch The last epoch done (-1: start afresh; else resume, with each group's initialLr set).
   */
  constructor(
    optimizer: Optimizer<Hyperparameters>,
    readonly tMax: number,
    readonly etaMin = 0,
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    this.initialStep();
  }

  /** The lr of each group for the epoch just reached, PyTorch's get_lr(). */
  protected getLr(): number[] {
    const { lastEpoch: e, tMax, etaMin } = this;
    if (e === 0) return this.groupLrs;
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((e * Math.PI) / tMax))) / 2);
    }
    if ((e - 1 - tMax) % (2 * tMax) === 0) {
      return this.groupLrs.map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax));
    return this.groupLrs.map((lr) => ratio * (lr - etaMin) + etaMin);
  }
}

/** Scales the lr linearly from startFactor to endFactor over totalIters epochs. */
export class LinearLR extends LRScheduler {
  /**
   * @param optimizer The optimizer whose groups' lr is scheduled.
   * @param startFactor The lr's factor at epoch 0.
   * @param endFactor The lr's factor from epoch totalIters on.
   * @param totalIters Epochs over which the factor moves.
   * @param lastEpoch The last epoch done (-1: start afresh; else resume, with each group's initialLr set).
   */
  constructor(
    optimizer: Optimizer<Hyperparameters>,
    readonly startFactor = 1 / 3,
    readonly endFactor = 1,
    readonly totalIters = 5,
    lastEpoch = -1,
  ) {
    if (startFactor > 1 || startFactor <= 0) {
      throw new Error('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    }
    if (endFactor > 1 || endFactor < 0) throw new Error('Ending multiplicative factor expected to be between 0 and 1.');
    super(optimizer, lastEpoch);
    this.initialStep();
  }

  /** The lr of each group for the epoch just reached, PyTorch's get_lr(). */
  protected getLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: n } = this;
    if (e === 0) return this.groupLrs.map((lr) => lr * s);
    if (e > n) return this.groupLrs;
    return this.groupLrs.map((lr) => lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }
}

/** A function of the epoch giving the factor by which a group's initial lr is multiplied. */
export type LrLambda = (epoch: number) => number;

/**
 * Sets each group's lr to its initial lr times lrLambda(epoch): one function for every group, or
 * one per group. stateDict() leaves the functions out, as PyTorch leaves out plain functions.
 */
export class LambdaLR extends LRScheduler {
  /** The lr factor function of each parameter group. */
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: Optimizer<Hyperparameters>, lrLambda: LrLambda | readonly LrLambda[], lastEpoch = -1) {
    super(optimizer, lastEpoch);
    const groups = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== groups) throw new Error(`Expected ${groups} lr_lambdas, but got ${lrLambda.length}`);
      this.lrLambdas = [...lrLambda];
    } else {
      this.lrLambdas = Array.from({ length: groups }, () => lrLambda as LrLambda);
    }
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i](this.lastEpoch));
  }

  protected unsaved(): string[] {
    return ['lrLambdas'];
  }
}
