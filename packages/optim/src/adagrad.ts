import type { Tensor } from '@mini/tensor';
import { FLAGS, scalars, type CpuOperands, type Update } from './fused.ts';
import { Optimizer, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.ts';

/** Adagrad's hyperparameters, as torch.optim.Adagrad names them (camelCase). */
export interface AdagradHyperparameters {
  /** The learning rate (default 1e-2). */
  lr: number;
  /** The learning rate's decay per step (default 0). */
  lrDecay: number;
  /** The L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** The starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue: number;
  /** Added to the denominator for numerical stability (default 1e-10). */
  eps: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** Adagrad's options: any of its hyperparameters, the rest at their defaults. */
export type AdagradOptions = Partial<AdagradHyperparameters>;

/**
 * Adagrad (Duchi et al.) with torch.optim.Adagrad's update rule; the accumulator starts at
 * initialAccumulatorValue:
 *   g = ±grad + weightDecay·param;  clr = lr / (1 + (step − 1)·lrDecay);  sum += g²;  param −= clr·g/(√sum + eps).
 */
export class Adagrad extends Optimizer<AdagradHyperparameters> {
  constructor(params: ParamsInput<AdagradHyperparameters>, options: AdagradOptions = {}) {
    const { lr = 1e-2, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10, maximize = false } = options;
    super(params, { lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize });
  }

  protected validate(g: ParamGroup<AdagradHyperparameters>): void {
    if (!(g.lr >= 0)) throw new Error(`Invalid learning rate: ${g.lr}`);
    if (!(g.lrDecay >= 0)) throw new Error(`Invalid lr_decay value: ${g.lrDecay}`);
    if (!(g.weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${g.weightDecay}`);
    if (!(g.initialAccumulatorValue >= 0)) throw new Error(`Invalid initial_accumulator_value value: ${g.initialAccumulatorValue}`);
    if (!(g.eps >= 0)) throw new Error(`Invalid epsilon value: ${g.eps}`);
  }

  protected prepare(param: Tensor, g: ParamGroup<AdagradHyperparameters>, state: ParamState): Update {
    const step = ((state.step as number | undefined) ?? 0) + 1;
    state.step = step;
    const sum = this.stateTensor(state, 'sum', param, g.initialAccumulatorValue).tensor;
    const s = scalars({
      flags: g.maximize ? FLAGS.maximize : 0,
      lr: g.lr / (1 + (step - 1) * g.lrDecay),
      weightDecay: g.weightDecay,
      eps: g.eps,
    });
    return { entry: 'adagrad', state: [sum], scalars: s };
  }

  protected reference({ n, x, xo, g, go, state: [sum] }: CpuOperands, { scalars: s }: Update): void {
    const maximize = (s.flags & FLAGS.maximize) !== 0;
    for (let i = 0; i < n; i++) {
      const xi = x[xo + i];
      let gi = maximize ? -g[go + i] : g[go + i];
      if (s.weightDecay !== 0) gi += s.weightDecay * xi;
      sum[i] += gi * gi;
      x[xo + i] = xi - s.lr * (gi / (Math.sqrt(sum[i]) + s.eps));
    }
  }
}
