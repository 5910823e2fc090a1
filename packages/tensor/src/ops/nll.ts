import { record } from '../autograd-hooks.ts';
import { empty } from '../alloc.ts';
import type { Tensor } from '../tensor.ts';
import { checkDType, checkSameDevice, firstOutOfRange, FLOATS } from './checks.ts';
import { grid, launch } from './gpu.ts';
import { contiguous } from './views.ts';
import { targetOutOfBounds } from '../device/device-checks.ts';

export type Reduction = 'mean' | 'sum' | 'none';
export const REDUCTIONS: Record<Reduction, number> = { none: 0, sum: 1, mean: 2 };

export interface NllOptions {
  reduction?: Reduction;
  ignoreIndex?: number;
}

/**
 * The checks nllLoss and crossEntropy share, made before anything is dispatched: input [N, C] of
 * a float type, int32 targets [N] on the same device, and (on the cpu device) targets in range.
 */
export function checkClassification(op: string, input: Tensor, target: Tensor, options: NllOptions) {
  const reduction = options.reduction ?? 'mean';
  const ignore = options.ignoreIndex ?? -100;
  if (!(reduction in REDUCTIONS)) throw new Error(`${reduction} is not a valid value for reduction`);
  checkSameDevice([input, target]);
  checkDType(op, input, FLOATS);
  checkDType(op, target, ['int32'], 'target');
  if (input.ndim !== 2 || target.ndim !== 1) {
    throw new RangeError(`${op}: expected input [N, C] and target [N], found [${input.shape.join(', ')}] and [${target.shape.join(', ')}]`);
  }
  const [N, C] = input.shape;
  if (target.shape[0] !== N) throw new RangeError(`Expected input batch_size (${N}) to match target batch_size (${target.shape[0]}).`);
  const bad = input.device.type === 'cpu' ? firstOutOfRange(target, C, ignore) : undefined;
  if (bad !== undefined) throw new RangeError(targetOutOfBounds(bad, C));
  return { reduction, ignore, N, C };
}

/** Forward on the CPU (targets contiguous and checked): the loss and the count of targets that were not ignored. */
function cpuForward(logp: Tensor, target: Tensor, reduction: Reduction, ignore: number, out: Tensor, total: Tensor): void {
  const [N] = logp.shape;
  const lp = logp.storage.array;
  const tg = target.storage.array;
  const losses = out.storage.array;
  let sum = 0;
  let count = 0;
  for (let n = 0; n < N; n++) {
    const t = tg[target.offset + n];
    let loss = 0;
    if (t !== ignore) {
      loss = -lp[logp.offset + n * logp.strides[0] + t * logp.strides[1]];
      count++;
    }
    if (reduction === 'none') losses[n] = loss;
    sum += loss;
  }
  if (reduction !== 'none') losses[0] = reduction === 'mean' ? sum / count : sum;
  total.storage.array[0] = count;
}

function cpuBackward(g: Tensor, target: Tensor, total: Tensor, reduction: Reduction, ignore: number, out: Tensor): void {
  const [N, C] = out.shape;
  const grad = out.storage.array;
  const gd = g.storage.array;
  const tg = target.storage.array;
  grad.fill(0);
  for (let n = 0; n < N; n++) {
    const t = tg[target.offset + n];
    if (t === ignore) continue;
    const gn = reduction === 'none' ? gd[g.offset + n * g.strides[0]] : gd[g.offset];
    grad[n * C + t] = reduction === 'mean' ? -gn / total.storage.array[0] : -gn;
  }
}

/**
 * The negative log-likelihood loss of log-probabilities [N, C] against int32 class targets [N],
 * like F.nll_loss. On webgpu a target out of range is raised at the next readback.
 */
export function nllLoss(logp: Tensor, target: Tensor, options: NllOptions = {}): Tensor {
  const { reduction, ignore, N, C } = checkClassification('nllLoss', logp, target, options);
  const targets = contiguous(target);
  const out = empty(reduction === 'none' ? [N] : [], logp.dtype, logp.device);
  const total = empty([1], logp.dtype, logp.device);
  // g (the output's gradient) may be a broadcast view: it is read through its offset and stride.
  const params = (g?: Tensor) => ({
    N, C,
    off_logp: logp.offset, s0: logp.strides[0], s1: logp.strides[1], off_t: targets.offset,
    ignore_index: ignore,
    off_g: g?.offset ?? 0, s_g: g?.strides[0] ?? 0,
  });
  const spec = (entry: string) => ({ family: 'nll', entry, constants: { REDUCTION: REDUCTIONS[reduction] } });
  if (logp.device.type === 'cpu') cpuForward(logp, targets, reduction, ignore, out, total);
  else launch('nllLoss', spec('forward'), [logp, targets, logp, out, total], params(), reduction === 'none' ? grid(N) : [1]);
  const result = record('NllLoss', [logp], out, [targets, total], (g, [t, tw]) => {
    const grad = empty([N, C], logp.dtype, g.device);
    if (g.device.type === 'cpu') cpuBackward(g, t, tw, reduction, ignore, grad);
    // The backward entry does not read logp (its slot takes g): logp may be disposed by now.
    else launch('nllLoss.backward', spec('backward'), [g, t, g, grad, tw], params(g), grid(N * C));
    return [grad];
  });
  if (targets !== target) targets.dispose();
  total.dispose();
  return result;
}
