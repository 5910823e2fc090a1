import type { Tensor } from '@mini/tensor';
import { FLAGS, scalars, type CpuOperands, type Update } from './fused.ts';
import { Optimizer, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.ts';

/** RMSprop's hyperparameters, as torch.optim.RMSprop names them (camelCase). */
export interface RMSpropHyperparameters {
  /** The learning rate (default 1e-2). */
  lr: number;
  /** The smoothing constant of the squared-gradient average (default 0.99). */
  alpha: number;
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** The L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** The momentum factor (default 0: none). */
  momentum: number;
  /** Normalize by the gradient's estimated variance rather than its second moment (default false). */
  centered: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** RMSprop's options: any of its hyperparameters, the rest at their defaults. */
export type RMSpropOptions = Partial<RMSpropHyperparameters>;

/**
 * RMSprop (Hinton) with torch.optim.RMSprop's update rule:
 *   g = ±grad + weightDecay·param;  squareAvg = α·squareAvg + (1 − α)·g²;
 *   centered: gradAvg = α·gradAvg + (1 − α)·g, avg = √(squareAvg − gradAvg²) + eps; else avg = √squareAvg + eps;
 *   momentum > 0: buf = momentum·buf + g/avg, param −= lr·buf; else param −= lr·g/avg.
 */
export class RMSprop extends Optimizer<RMSpropHyperparameters> {
  constructor(params: ParamsInput<RMSpropHyperparameters>, options: RMSpropOptions = {}) {
    const { lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false, maximize = false } = options;
    super(params, { lr, alpha, eps, weightDecay, momentum, centered, maximize });
  }

  protected validate(g: ParamGroup<RMSpropHyperparameters>): void {
    if (!(g.lr >= 0)) throw new Error(`Invalid learning rate: ${g.lr}`);
    if (!(g.eps >= 0)) throw new Error(`Invalid epsilon value: ${g.eps}`);
    if (!(g.momentum >= 0)) throw new Error(`Invalid momentum value: ${g.momentum}`);
    if (!(g.weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${g.weightDecay}`);
    if (!(g.alpha >= 0)) throw new Error(`Invalid alpha value: ${g.alpha}`);
  }

  protected prepare(param: Tensor, g: ParamGroup<RMSpropHyperparameters>, state: ParamState): Update {
    state.step = ((state.step as number | undefined) ?? 0) + 1;
    // The kernel's slots: a = squareAvg, b = momentumBuffer, c = gradAvg.
    const tensors = [
      this.stateTensor(state, 'squareAvg', param).tensor,
      g.momentum > 0 ? this.stateTensor(state, 'momentumBuffer', param).tensor : undefined,
      g.centered ? this.stateTensor(state, 'gradAvg', param).tensor : undefined,
    ];
    const s = scalars({
      flags: (g.maximize ? FLAGS.maximize : 0) | (g.centered ? FLAGS.centered : 0),
      lr: g.lr,
      weightDecay: g.weightDecay,
      momentum: g.momentum,
      alpha: g.alpha,
      oneMinusAlpha: 1 - g.alpha,
      eps: g.eps,
    });
    return { entry: 'rmsprop', state: tensors, scalars: s };
  }

  protected reference({ n, x, xo, g, go, state: [sq, buf, ga] }: CpuOperands, { scalars: s }: Update): void {
    const maximize = (s.flags & FLAGS.maximize) !== 0;
    const centered = (s.flags & FLAGS.centered) !== 0;
    for (let i = 0; i < n; i++) {
      const xi = x[xo + i];
      let gi = maximize ? -g[go + i] : g[go + i];
      if (s.weightDecay !== 0) gi += s.weightDecay * xi;
      sq[i] = s.alpha * sq[i] + s.oneMinusAlpha * gi * gi;
      let avgSq = sq[i];
      if (centered) {
        ga[i] = s.alpha * ga[i] + s.oneMinusAlpha * gi;
        avgSq -= ga[i] * ga[i];
      }
      const avg = Math.sqrt(avgSq) + s.eps;
      if (s.momentum > 0) {
        buf[i] = s.momentum * buf[i] + gi / avg;
        x[xo + i] = xi - s.lr * buf[i];
      } else {
        x[xo + i] = xi - s.lr * (gi / avg);
      }
    }
  }
}
