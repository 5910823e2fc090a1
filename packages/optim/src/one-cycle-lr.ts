import { checkOptions } from '@mini/tensor';
import { LRScheduler } from './lr-scheduler.ts';
import type { Hyperparameters, Optimizer } from './optimizer.ts';

/** OneCycleLR's keyword arguments. Give totalSteps, or epochs and stepsPerEpoch. */
export interface OneCycleLROptions {
  /** The number of steps in the cycle; when omitted, epochs × stepsPerEpoch. */
  totalSteps?: number;
  /** The number of epochs, with stepsPerEpoch, when totalSteps is omitted. */
  epochs?: number;
  /** The number of steps per epoch, with epochs, when totalSteps is omitted. */
  stepsPerEpoch?: number;
  /** The fraction of the cycle spent raising the lr: 0.3 by default. */
  pctStart?: number;
  /** 'cos' (the default) or 'linear' annealing. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle the momentum (Adam's beta1) inversely to the lr: true by default. */
  cycleMomentum?: boolean;
  /** The lowest momentum of the cycle, per group or for all: 0.85 by default. */
  baseMomentum?: number | number[];
  /** The highest momentum of the cycle, per group or for all: 0.95 by default. */
  maxMomentum?: number | number[];
  /** The initial lr is maxLr / divFactor: 25 by default. */
  divFactor?: number;
  /** The final lr is the initial lr / finalDivFactor: 1e4 by default. */
  finalDivFactor?: number;
  /** Return to the initial lr before annealing to the final one: false by default. */
  threePhase?: boolean;
  /** The index of the last step taken, to resume a schedule: -1 (start) by default. */
  lastEpoch?: number;
}

const OPTIONS = [
  'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum', 'baseMomentum',
  'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase', 'lastEpoch',
] as const;

/** One phase of the cycle: it ends at endStep, annealing between the named group fields. */
interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

/** The fields OneCycleLR reads and writes on a parameter group (PyTorch's max_lr, min_lr, ...). */
type CycleGroup = Record<string, unknown> & { lr: number; momentum?: number; betas?: number[] };

function perGroup(name: string, groups: number, value: number | readonly number[]): number[] {
  if (!Array.isArray(value)) return Array.from({ length: groups }, () => value as number);
  if (value.length !== groups) throw new Error(`expected ${groups} values for ${name}, got ${value.length}`);
  return [...value];
}

function positiveInteger(name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) throw new Error(`Expected positive integer ${name}, but got ${value}`);
  return value;
}

/**
 * The 1cycle policy (Smith & Topsakal), torch.optim.lr_scheduler.OneCycleLR: the lr rises from
 * maxLr/divFactor to maxLr over the first pctStart of totalSteps, then falls to
 * initialLr/finalDivFactor (threePhase: back to the initial lr first, then down), by cosine or
 * linear annealing; with cycleMomentum the momentum (beta1 for Adam) moves the other way, between
 * maxMomentum and baseMomentum. Call step() after every batch, not every epoch.
 */
export class OneCycleLR extends LRScheduler {
  /** The number of steps in the cycle. */
  readonly totalSteps: number;
  /** 'cos' or 'linear' annealing. */
  readonly annealStrategy: 'cos' | 'linear';
  /** Whether the momentum is cycled inversely to the lr. */
  readonly cycleMomentum: boolean;
  /** Whether the momentum cycled is Adam's beta1 (the optimizer has betas) rather than SGD's momentum. */
  readonly useBeta1: boolean;
  private readonly schedulePhases: Phase[];

  constructor(optimizer: Optimizer<Hyperparameters>, maxLr: number | number[], options: OneCycleLROptions = {}) {
    checkOptions('OneCycleLR', options, OPTIONS);
    const {
      totalSteps, epochs, stepsPerEpoch, pctStart = 0.3, annealStrategy = 'cos', cycleMomentum = true,
      baseMomentum = 0.85, maxMomentum = 0.95, divFactor = 25, finalDivFactor = 1e4, threePhase = false, lastEpoch = -1,
    } = options;
    let total: number;
    if (totalSteps === undefined && epochs === undefined && stepsPerEpoch === undefined) {
      throw new Error('You must define either total_steps OR (epochs AND steps_per_epoch)');
    } else if (totalSteps !== undefined) {
      total = positiveInteger('total_steps', totalSteps);
    } else {
      total = positiveInteger('epochs', epochs as number) * positiveInteger('steps_per_epoch', stepsPerEpoch as number);
    }
    if (!(pctStart >= 0 && pctStart <= 1)) throw new Error(`Expected float between 0 and 1 pct_start, but got ${pctStart}`);
    if (annealStrategy !== 'cos' && annealStrategy !== 'linear') {
      throw new Error(`anneal_strategy must by one of 'cos' or 'linear', instead got ${annealStrategy as string}`);
    }
    const groups = optimizer.paramGroups as unknown as CycleGroup[];
    const maxLrs = perGroup('max_lr', groups.length, maxLr);
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = (g.initialLr as number) / finalDivFactor;
      });
    }
    const defaults = optimizer.defaults as unknown as Record<string, unknown>;
    const useBeta1 = 'betas' in defaults;
    if (cycleMomentum) {
      if (!('momentum' in defaults) && !useBeta1) throw new Error('optimizer must support momentum with `cycle_momentum` option enabled');
      const maxMomenta = perGroup('max_momentum', groups.length, maxMomentum);
      const baseMomenta = perGroup('base_momentum', groups.length, baseMomentum);
      if (lastEpoch === -1) {
        groups.forEach((g, i) => {
          if (useBeta1) g.betas = [maxMomenta[i], ...g.betas!.slice(1)];
          else g.momentum = maxMomenta[i];
          g.maxMomentum = maxMomenta[i];
          g.baseMomentum = baseMomenta[i];
        });
      }
    }
    super(optimizer, lastEpoch);
    this.totalSteps = total;
    this.annealStrategy = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    const phase = (endStep: number, startLr: string, endLr: string, startMomentum: string, endMomentum: string): Phase => ({
      endStep, startLr, endLr, startMomentum, endMomentum,
    });
    this.schedulePhases = threePhase
      ? [
          phase(pctStart * total - 1, 'initialLr', 'maxLr', 'maxMomentum', 'baseMomentum'),
          phase(2 * pctStart * total - 2, 'maxLr', 'initialLr', 'baseMomentum', 'maxMomentum'),
          phase(total - 1, 'initialLr', 'minLr', 'maxMomentum', 'maxMomentum'),
        ]
      : [
          phase(pctStart * total - 1, 'initialLr', 'maxLr', 'maxMomentum', 'baseMomentum'),
          phase(total - 1, 'maxLr', 'minLr', 'baseMomentum', 'maxMomentum'),
        ];
    this.initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  protected getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) throw new Error(`Tried to step ${step} times. The specified number of total steps is ${this.totalSteps}`);
    return (this.optimizer.paramGroups as unknown as CycleGroup[]).map((g) => {
      const last = this.schedulePhases.length - 1;
      const index = this.schedulePhases.findIndex((phase, i) => step <= phase.endStep || i === last);
      const start = index === 0 ? 0 : this.schedulePhases[index - 1].endStep;
      const phase = this.schedulePhases[index];
      const pct = (step - start) / (phase.endStep - start);
      if (this.cycleMomentum) {
        const momentum = this.anneal(g[phase.startMomentum] as number, g[phase.endMomentum] as number, pct);
        if (this.useBeta1) g.betas = [momentum, ...g.betas!.slice(1)];
        else g.momentum = momentum;
      }
      return this.anneal(g[phase.startLr] as number, g[phase.endLr] as number, pct);
    });
  }
}
