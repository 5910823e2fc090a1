import { checkOptions, type Tensor } from '@mini/tensor';
import { FLAGS, scalars, type CpuOperands, type Update } from './fused.ts';
import { Optimizer, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.ts';

/** SGD's hyperparameters, as torch.optim.SGD names them (camelCase). */
export interface SGDHyperparameters {
  /** The learning rate. */
  lr: number;
  /** The momentum factor (default 0). */
  momentum: number;
  /** Dampening for momentum (default 0). */
  dampening: number;
  /** L2 penalty (default 0). */
  weightDecay: number;
  /** Whether to use Nesterov momentum. */
  nesterov: boolean;
  /** Whether to maximize the objective instead of minimizing it. */
  maximize: boolean;
}

/** The options of new SGD(): any of its hyperparameters; the others keep torch.optim.SGD's defaults. */
export type SGDOptions = Partial<SGDHyperparameters>;

/**
 * Stochastic gradient descent with optional momentum (Nesterov's too), dampening, L2 weight
 * decay and maximize, with torch.optim.SGD's update rule:
 *   d = ±grad + weightDecay·param;  buf = d at the first step, else momentum·buf + (1 − dampening)·d;
 *   d = nesterov ? d + momentum·buf : buf;  param −= lr·d.
 */
export class SGD extends Optimizer<SGDHyperparameters> {
  constructor(params: ParamsInput<SGDHyperparameters>, options: SGDOptions = {}) {
    const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false } = checkOptions('SGD', options, [
      'lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize',
    ]);
    super(params, { lr: lr as number, momentum, dampening, weightDecay, nesterov, maximize });
  }

  protected validate(g: ParamGroup<SGDHyperparameters>): void {
    if (!(g.lr >= 0)) throw new Error(`Invalid learning rate: ${g.lr}`);
    if (!(g.momentum >= 0)) throw new Error(`Invalid momentum value: ${g.momentum}`);
    if (!(g.weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${g.weightDecay}`);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) throw new Error('Nesterov momentum requires a momentum and zero dampening');
  }

  protected prepare(param: Tensor, g: ParamGroup<SGDHyperparameters>, state: ParamState): Update {
    let flags = (g.maximize ? FLAGS.maximize : 0) | (g.nesterov ? FLAGS.nesterov : 0);
    const tensors: Tensor[] = [];
    if (g.momentum !== 0) {
      const { tensor, created } = this.stateTensor(state, 'momentumBuffer', param);
      if (created) flags |= FLAGS.firstStep;
      tensors.push(tensor);
    }
    const s = scalars({ flags, lr: g.lr, weightDecay: g.weightDecay, momentum: g.momentum, oneMinusDampening: 1 - g.dampening });
    return { entry: 'sgd', state: tensors, scalars: s };
  }

  protected reference({ n, x, xo, g, go, state: [buf] }: CpuOperands, { scalars: s }: Update): void {
    const maximize = (s.flags & FLAGS.maximize) !== 0;
    const nesterov = (s.flags & FLAGS.nesterov) !== 0;
    const first = (s.flags & FLAGS.firstStep) !== 0;
    for (let i = 0; i < n; i++) {
      const xi = x[xo + i];
      let d = maximize ? -g[go + i] : g[go + i];
      if (s.weightDecay !== 0) d += s.weightDecay * xi;
      if (s.momentum !== 0) {
        const b = first ? d : s.momentum * buf[i] + s.oneMinusDampening * d;
        buf[i] = b;
        d = nesterov ? d + s.momentum * b : b;
      }
      x[xo + i] = xi - s.lr * d;
    }
  }
}
