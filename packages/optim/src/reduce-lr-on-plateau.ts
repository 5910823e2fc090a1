import { checkOptions } from '@mini/tensor';
import type { Hyperparameters, Optimizer } from './optimizer.ts';

/** ReduceLROnPlateau's keyword arguments, with PyTorch's defaults. */
export interface ReduceLROnPlateauOptions {
  /** 'min': reduce when the metric stops decreasing; 'max': when it stops increasing. */
  mode?: 'min' | 'max';
  /** The factor the lr is multiplied by on a plateau (< 1): 0.1 by default. */
  factor?: number;
  /** The number of epochs without improvement tolerated before reducing: 10 by default. */
  patience?: number;
  /** The least change that counts as an improvement: 1e-4 by default. */
  threshold?: number;
  /** 'rel' (the default): threshold is relative to the best; 'abs': absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** The number of epochs after a reduction before bad epochs count again: 0 by default. */
  cooldown?: number;
  /** The lowest lr, per group or for all: 0 by default. */
  minLr?: number | number[];
  /** A reduction smaller than this is skipped: 1e-8 by default. */
  eps?: number;
}

const OPTIONS = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'] as const;

/**
 * torch.optim.lr_scheduler.ReduceLROnPlateau: step(metric) after each validation; when the metric
 * has not improved (by threshold, relative or absolute) for more than patience epochs, every
 * group's lr is multiplied by factor (not below its minLr; changes smaller than eps are skipped),
 * then cooldown epochs pass before bad epochs count again. The metric is a number: read a loss
 * tensor with `await loss.item()` first (the readback is the caller's, once per epoch).
 */
export class ReduceLROnPlateau {
  /** 'min' or 'max': whether a lower or a higher metric is better. */
  readonly mode: 'min' | 'max';
  /** The factor the lr is multiplied by on a plateau. */
  readonly factor: number;
  /** The number of epochs without improvement tolerated before reducing. */
  readonly patience: number;
  /** The least change that counts as an improvement. */
  readonly threshold: number;
  /** Whether threshold is relative ('rel') or absolute ('abs'). */
  readonly thresholdMode: 'rel' | 'abs';
  /** The number of epochs after a reduction before bad epochs count again. */
  readonly cooldown: number;
  /** The lowest lr of each parameter group. */
  readonly minLrs: number[];
  /** A reduction smaller than this is skipped. */
  readonly eps: number;
  /** The best metric so far (initially the worst value for the mode). */
  best: number;
  /** The number of epochs since the last improvement. */
  numBadEpochs = 0;
  /** The epochs of cooldown left. */
  cooldownCounter = 0;
  /** The number of step() calls so far. */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(
    /** The optimizer whose learning rates are reduced. */
    readonly optimizer: Optimizer<Hyperparameters>,
    options: ReduceLROnPlateauOptions = {},
  ) {
    checkOptions('ReduceLROnPlateau', options, OPTIONS);
    const { mode = 'min', factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = 'rel', cooldown = 0, minLr = 0, eps = 1e-8 } = options;
    if (factor >= 1) throw new Error('Factor should be < 1.0.');
    const groups = optimizer.paramGroups.length;
    if (Array.isArray(minLr) && minLr.length !== groups) throw new Error(`expected ${groups} min_lrs, got ${minLr.length}`);
    if (mode !== 'min' && mode !== 'max') throw new Error(`mode ${mode as string} is unknown!`);
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') throw new Error(`threshold mode ${thresholdMode as string} is unknown!`);
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.eps = eps;
    this.minLrs = Array.isArray(minLr) ? [...minLr] : Array.from({ length: groups }, () => minLr as number);
    this.best = this.modeWorse;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** The worst value of the metric for the mode: +∞ for 'min', −∞ for 'max'. */
  private get modeWorse(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether bad epochs are currently ignored. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Whether metric a is better than best by the threshold. */
  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  /** Records one epoch's metric and reduces the learning rates when it has plateaued. */
  step(metrics: number): void {
    if (typeof metrics !== 'number') {
      throw new TypeError(`ReduceLROnPlateau.step() expects the metric as a number (read a tensor with await t.item()), found ${typeof metrics}`);
    }
    this.lastEpoch++;
    if (this.isBetter(metrics, this.best)) {
      this.best = metrics;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.inCooldown) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const next = Math.max(g.lr * this.factor, this.minLrs[i]);
      if (g.lr - next > this.eps) g.lr = next;
    });
  }

  /** The learning rates after the last step(), one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Every field but the optimizer, like state_dict(). */
  stateDict(): Record<string, unknown> {
    const { optimizer: _optimizer, ...state } = this as unknown as Record<string, unknown>;
    return structuredClone(state);
  }

  /** Restores the fields from a stateDict(), like load_state_dict(). */
  loadStateDict(state: Record<string, unknown>): void {
    Object.assign(this, structuredClone(state));
  }
}
