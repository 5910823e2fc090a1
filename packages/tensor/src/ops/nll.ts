import { record } from '../autograd-hooks.ts';
import { empty } from '../alloc.ts';
import type { Tensor } from '../tensor.ts';
import { checkDType, checkSameDevice, firstOutOfRange, FLOATS } from './checks.ts';
import { checkOptions } from '../options.ts';
import { grid, launch } from './gpu.ts';
import { contiguous } from './views.ts';
import { targetOutOfBounds } from '../device/device-checks.ts';
import type { DispatchFusion } from '../device/webgpu.ts';

/** How a loss reduces over the batch, as PyTorch's `reduction` argument. */
export type Reduction = 'mean' | 'sum' | 'none';
export const REDUCTIONS: Record<Reduction, number> = { none: 0, sum: 1, mean: 2 };

/** nllLoss's keyword arguments, as F.nll_loss's. */
export interface NllOptions {
  /** A manual rescaling weight for each class, a tensor [C] of the input's dtype. */
  weight?: Tensor | null;
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
  /** A target value that contributes nothing to the loss or its gradient (default -100). */
  ignoreIndex?: number;
}

export const NLL_OPTIONS = ['weight', 'reduction', 'ignoreIndex'] as const;

/**
 * The checks nllLoss and crossEntropy share, made before anything is dispatched: the options,
 * input [N, C] of a float type, int32 targets [N] and weights [C] on the same device, and (on
 * the cpu device) targets in range. The weight comes back contiguous (or null).
 */
export function checkClassification<O extends NllOptions>(op: string, input: Tensor, target: Tensor, options: O, known: readonly (keyof O & string)[]) {
  checkOptions(op, options, known);
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
  return { reduction, ignore, N, C, weight: checkWeight(op, input, options.weight ?? null, C) };
}

function checkWeight(op: string, input: Tensor, weight: Tensor | null, C: number): Tensor | null {
  if (weight === null) return null;
  checkSameDevice([input, weight]);
  checkDType(op, weight, [input.dtype], 'weight');
  if (weight.ndim !== 1 || weight.shape[0] !== C) {
    throw new RangeError(`weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: [${weight.shape.join(', ')}]`);
  }
  return contiguous(weight);
}

/** Class c's weight in a cpu reference (1 without weights). */
export function classWeight(weight: Tensor | null): (c: number) => number {
  if (!weight) return () => 1;
  const w = weight.storage.array;
  return (c) => w[weight.offset + c];
}

/** Forward on the CPU (targets contiguous and checked): the loss and the total weight of targets that were not ignored. */
function cpuForward(logp: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, ignore: number, out: Tensor, total: Tensor): void {
  const [N] = logp.shape;
  const w = classWeight(weight);
  const lp = logp.storage.array;
  const tg = target.storage.array;
  const losses = out.storage.array;
  let sum = 0;
  let count = 0;
  for (let n = 0; n < N; n++) {
    const t = tg[target.offset + n];
    let loss = 0;
    if (t !== ignore) {
      loss = -w(t) * lp[logp.offset + n * logp.strides[0] + t * logp.strides[1]];
      count += w(t);
    }
    if (reduction === 'none') losses[n] = loss;
    sum += loss;
  }
  if (reduction !== 'none') losses[0] = reduction === 'mean' ? sum / count : sum;
  total.storage.array[0] = count;
}

function cpuBackward(g: Tensor, target: Tensor, weight: Tensor | null, total: Tensor, reduction: Reduction, ignore: number, out: Tensor): void {
  const [N, C] = out.shape;
  const w = classWeight(weight);
  const grad = out.storage.array;
  const gd = g.storage.array;
  const tg = target.storage.array;
  grad.fill(0);
  for (let n = 0; n < N; n++) {
    const t = tg[target.offset + n];
    if (t === ignore) continue;
    const gn = (reduction === 'none' ? gd[g.offset + n * g.strides[0]] : gd[g.offset]) * w(t);
    grad[n * C + t] = reduction === 'mean' ? -gn / total.storage.array[0] : -gn;
  }
}

/**
 * The cpu reference of the fused backward through log_softmax (nll.wgsl's backward with LOG_SOFTMAX):
 * g·w_t·(exp(logp[n, c]) − [c == t]) (/ the total weight for mean), 0 on ignored rows.
 */
function cpuBackwardLogSoftmax(g: Tensor, target: Tensor, weight: Tensor | null, total: Tensor, reduction: Reduction, ignore: number, logp: Tensor, out: Tensor): void {
  const [N, C] = out.shape;
  const w = classWeight(weight);
  const [lp, gd, tg, grad] = [logp.storage.array, g.storage.array, target.storage.array, out.storage.array];
  for (let n = 0; n < N; n++) {
    const t = tg[target.offset + n];
    let gn = t === ignore ? 0 : (reduction === 'none' ? gd[g.offset + n * g.strides[0]] : gd[g.offset]) * w(t);
    if (reduction === 'mean') gn /= total.storage.array[0];
    for (let c = 0; c < C; c++) {
      const q = Math.exp(lp[logp.offset + n * logp.strides[0] + c * logp.strides[1]]);
      grad[n * C + c] = t === ignore ? 0 : gn * (q - (c === t ? 1 : 0));
    }
  }
}

/**
 * What nllLoss's forward dispatch offers the peephole (fuseLogSoftmaxNll): when logp [N, C] is
 * contiguous from the start of its buffer and a log_softmax wrote it, one dispatch of
 * log-softmax-nll.wgsl computes both from the logits. The buffers are taken now: the tensors
 * holding them may be disposed before the submit.
 */
function afterLogSoftmax(logp: Tensor, targets: Tensor, out: Tensor, total: Tensor, weight: Tensor | null, reduction: Reduction, ignore: number, workgroups: readonly number[]): DispatchFusion | undefined {
  if (logp.dtype !== 'float32' || logp.offset !== 0 || !logp.isContiguous()) return undefined;
  const [N, C] = logp.shape;
  const gpu = logp.device.gpu;
  const buffers = [targets, logp, out, total].map((t) => t.storage.buffer);
  const weights = weight?.storage.buffer;
  const constants = { REDUCTION: REDUCTIONS[reduction], WEIGHTED: weight ? 1 : 0 };
  const withLogSoftmax = (x: GPUBuffer, offX: number) => ({
    label: 'logSoftmax+nllLoss',
    kernel: gpu.kernel({ family: 'log-softmax-nll', entry: 'forward', constants }, 'nllLoss'),
    buffers: [x, ...buffers, weights ?? x],
    params: { N, C, off_x: offX, off_t: targets.offset, ignore_index: ignore, off_w: weight?.offset ?? 0 },
    workgroups,
  });
  return { afterLogSoftmax: { logp: logp.storage.buffer, rows: N, cols: C, withLogSoftmax } };
}

/**
 * The negative log-likelihood loss of log-probabilities [N, C] against int32 class targets [N],
 * like F.nll_loss. On webgpu a target out of range is raised at the next readback. When logp is
 * logSoftmax(x, 1) recorded just before, the submit runs both forwards as one dispatch (same
 * values, logp still written); when nothing else takes logp's gradient, backward runs both in one
 * kernel (the gradient of x from logp, as crossEntropy's does from x) and never makes logp's gradient.
 */
export function nllLoss(logp: Tensor, target: Tensor, options: NllOptions = {}): Tensor {
  const { reduction, ignore, N, C, weight } = checkClassification('nllLoss', logp, target, options, NLL_OPTIONS);
  const targets = contiguous(target);
  const out = empty(reduction === 'none' ? [N] : [], logp.dtype, logp.device);
  const total = empty([1], logp.dtype, logp.device);
  // g (the output's gradient) may be a broadcast view: it is read through its offset and stride.
  const params = (g?: Tensor, lp = logp) => ({
    N, C,
    off_logp: lp.offset, s0: lp.strides[0], s1: lp.strides[1], off_t: targets.offset,
    ignore_index: ignore,
    off_g: g?.offset ?? 0, s_g: g?.strides[0] ?? 0,
    off_w: weight?.offset ?? 0,
  });
  const spec = (entry: string, logSoftmax = false) => ({
    family: 'nll', entry, constants: { REDUCTION: REDUCTIONS[reduction], WEIGHTED: weight ? 1 : 0, LOG_SOFTMAX: logSoftmax ? 1 : 0 },
  });
  const workgroups = reduction === 'none' ? grid(N) : [1];
  if (logp.device.type === 'cpu') cpuForward(logp, targets, weight, reduction, ignore, out, total);
  else launch('nllLoss', spec('forward'), [logp, targets, logp, out, total, weight ?? logp], params(), workgroups, afterLogSoftmax(logp, targets, out, total, weight, reduction, ignore, workgroups));
  const saved = weight ? [targets, total, weight] : [targets, total];
  const result = record('NllLoss', [logp], out, saved, (g, [t, tw, w = null]) => {
    const grad = empty([N, C], logp.dtype, g.device);
    if (g.device.type === 'cpu') cpuBackward(g, t, w, tw, reduction, ignore, grad);
    // The backward entry does not read logp (its slot takes g): logp may be disposed by now.
    else launch('nllLoss.backward', spec('backward'), [g, t, g, grad, tw, w ?? g], params(g), grid(N * C));
    return [grad];
  }, {
    rules: {
      LogSoftmax: (g, [t, tw, w = null], inner) => {
        if (inner.fusion.attrs?.dim !== 1) return null;
        const [lp] = inner.savedTensors();
        const grad = empty([N, C], logp.dtype, g.device);
        if (g.device.type === 'cpu') cpuBackwardLogSoftmax(g, t, w, tw, reduction, ignore, lp, grad);
        else launch('nllLoss+logSoftmax.backward', spec('backward', true), [lp, t, g, grad, tw, w ?? g], params(g, lp), grid(N * C));
        return [grad];
      },
    },
  });
  if (targets !== target) targets.dispose();
  if (weight && weight !== options.weight) weight.dispose();
  total.dispose();
  return result;
}
