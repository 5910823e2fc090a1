import { checkOptions, type Tensor } from '@mini/tensor';
import { FLAGS, scalars, type CpuOperands, type Update } from './fused.ts';
import { Optimizer, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.ts';

/** Adam's and AdamW's hyperparameters, as torch.optim.Adam names them (camelCase). */
export interface AdamHyperparameters {
  /** The learning rate (default 1e-3). */
  lr: number;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** L2 penalty (Adam) or decoupled weight decay (AdamW; default 0 and 1e-2). */
  weightDecay: number;
  /** Whether to use the AMSGrad variant (the running maximum of the second moment). */
  amsgrad: boolean;
  /** Whether to maximize the objective instead of minimizing it. */
  maximize: boolean;
}

/** The options of new Adam() and new AdamW(): any of their hyperparameters. */
export type AdamOptions = Partial<AdamHyperparameters>;

const ADAM_OPTIONS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize'] as const;

/**
 * Adam (Kingma & Ba) with torch.optim.Adam's update rule; weight decay is added to the gradient (L2):
 *   g = ±grad + weightDecay·param;  m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;
 *   v̂ = amsgrad ? (vmax = max(vmax, v)) : v;  param −= lr/(1 − β1ᵗ) · m / (√v̂/√(1 − β2ᵗ) + eps).
 */
export class Adam extends Optimizer<AdamHyperparameters> {
  /** Whether weight decay shrinks the parameter directly (AdamW) instead of adding to the gradient. */
  protected readonly decoupled: boolean = false;

  constructor(params: ParamsInput<AdamHyperparameters>, options: AdamOptions = {}) {
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, amsgrad = false, maximize = false } = checkOptions(new.target.name, options, ADAM_OPTIONS);
    super(params, { lr, betas, eps, weightDecay, amsgrad, maximize });
  }

  protected validate(g: ParamGroup<AdamHyperparameters>): void {
    if (!(g.lr >= 0)) throw new Error(`Invalid learning rate: ${g.lr}`);
    if (!(g.eps >= 0)) throw new Error(`Invalid epsilon value: ${g.eps}`);
    g.betas.forEach((beta, i) => {
      if (!(beta >= 0 && beta < 1)) throw new Error(`Invalid beta parameter at index ${i}: ${beta}`);
    });
    if (!(g.weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${g.weightDecay}`);
  }

  protected prepare(param: Tensor, g: ParamGroup<AdamHyperparameters>, state: ParamState): Update {
    const step = ((state.step as number | undefined) ?? 0) + 1;
    state.step = step;
    const tensors = [this.stateTensor(state, 'expAvg', param).tensor, this.stateTensor(state, 'expAvgSq', param).tensor];
    if (g.amsgrad) tensors.push(this.stateTensor(state, 'maxExpAvgSq', param).tensor);
    const [beta1, beta2] = g.betas;
    const s = scalars({
      flags: (g.maximize ? FLAGS.maximize : 0) | (g.amsgrad ? FLAGS.amsgrad : 0),
      lr: g.lr,
      weightDecay: g.weightDecay,
      beta1,
      beta2,
      oneMinusBeta1: 1 - beta1,
      oneMinusBeta2: 1 - beta2,
      eps: g.eps,
      stepSize: g.lr / (1 - beta1 ** step),
      biasCorrection2Sqrt: Math.sqrt(1 - beta2 ** step),
      decayFactor: 1 - g.lr * g.weightDecay,
    });
    return { entry: this.decoupled ? 'adamw' : 'adam', state: tensors, scalars: s };
  }

  protected reference({ n, x, xo, g, go, state: [m, v, vmax] }: CpuOperands, { entry, scalars: s }: Update): void {
    const maximize = (s.flags & FLAGS.maximize) !== 0;
    const amsgrad = (s.flags & FLAGS.amsgrad) !== 0;
    for (let i = 0; i < n; i++) {
      let xi = x[xo + i];
      let gi = maximize ? -g[go + i] : g[go + i];
      if (entry === 'adamw') xi *= s.decayFactor;
      else if (s.weightDecay !== 0) gi += s.weightDecay * xi;
      const mi = s.beta1 * m[i] + s.oneMinusBeta1 * gi;
      const vi = s.beta2 * v[i] + s.oneMinusBeta2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      let used = vi;
      if (amsgrad) vmax[i] = used = Math.max(vmax[i], vi);
      const denom = Math.sqrt(used) / s.biasCorrection2Sqrt + s.eps;
      x[xo + i] = xi - s.stepSize * (mi / denom);
    }
  }
}

/**
 * AdamW (Loshchilov & Hutter), torch.optim.AdamW's rule: Adam without L2 in the gradient; instead
 * the parameter decays, param ·= 1 − lr·weightDecay, before the Adam step. weightDecay defaults to 1e-2.
 */
export class AdamW extends Adam {
  protected readonly decoupled: boolean = true;

  constructor(params: ParamsInput<AdamHyperparameters>, options: AdamOptions = {}) {
    super(params, { ...options, weightDecay: options.weightDecay ?? 1e-2 });
  }
}
