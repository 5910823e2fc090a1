import { record } from '../autograd-hooks.ts';
import { empty } from '../alloc.ts';
import type { Tensor } from '../tensor.ts';
import { grid, launch } from './gpu.ts';
import { checkClassification, classWeight, NLL_OPTIONS, REDUCTIONS, type NllOptions, type Reduction } from './nll.ts';
import { contiguous } from './views.ts';

/** crossEntropy's keyword arguments, as F.cross_entropy's (class-index targets). */
export interface CrossEntropyOptions extends NllOptions {
  /** ε in [0, 1]: the target becomes (1 − ε)·one-hot + ε/C, as in PyTorch; 0 by default. */
  labelSmoothing?: number;
}

const CROSS_ENTROPY_OPTIONS = [...NLL_OPTIONS, 'labelSmoothing'] as const;

/** What the cpu references need besides the tensors. */
interface Setup {
  reduction: Reduction;
  ignore: number;
  smoothing: number;
}

/**
 * Forward on the CPU (targets contiguous and checked), as cross-entropy.wgsl computes it: the
 * losses, each row's log-sum-exp in stats[n], the total weight of targets that were not ignored
 * in stats[N] and the sum of the class weights in stats[N + 1].
 */
function cpuForward(x: Tensor, targets: Tensor, weight: Tensor | null, s: Setup, out: Tensor, stats: Tensor): void {
  const [N, C] = x.shape;
  const xs = x.storage.array;
  const at = (n: number, c: number) => xs[x.offset + n * x.strides[0] + c * x.strides[1]];
  const w = classWeight(weight);
  const tg = targets.storage.array;
  const losses = out.storage.array;
  const st = stats.storage.array;
  let sum = 0;
  let total = 0;
  for (let n = 0; n < N; n++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, at(n, c));
    let e = 0;
    for (let c = 0; c < C; c++) e += Math.exp(at(n, c) - m);
    const lse = m + Math.log(e);
    st[n] = lse;
    const t = tg[targets.offset + n];
    let loss = 0;
    if (t !== s.ignore) {
      loss = w(t) * (lse - at(n, t));
      if (s.smoothing) {
        let smooth = 0;
        for (let c = 0; c < C; c++) smooth += w(c) * (lse - at(n, c));
        loss = (1 - s.smoothing) * loss + (s.smoothing / C) * smooth;
      }
      total += w(t);
    }
    if (s.reduction === 'none') losses[n] = loss;
    sum += loss;
  }
  if (s.reduction !== 'none') losses[0] = s.reduction === 'mean' ? sum / total : sum;
  st[N] = total;
  let classes = 0;
  for (let c = 0; c < C; c++) classes += w(c);
  st[N + 1] = classes;
}

function cpuBackward(g: Tensor, x: Tensor, targets: Tensor, weight: Tensor | null, stats: Tensor, s: Setup, grad: Tensor): void {
  const [N, C] = x.shape;
  const xs = x.storage.array;
  const w = classWeight(weight);
  const gd = g.storage.array;
  const tg = targets.storage.array;
  const st = stats.storage.array;
  const out = grad.storage.array;
  for (let n = 0; n < N; n++) {
    const t = tg[targets.offset + n];
    const ignored = t === s.ignore;
    let gn = ignored ? 0 : gd[g.offset + n * (s.reduction === 'none' ? g.strides[0] : 0)];
    if (s.reduction === 'mean') gn /= st[N];
    for (let c = 0; c < C; c++) {
      if (ignored) {
        out[n * C + c] = 0;
        continue;
      }
      const q = Math.exp(xs[x.offset + n * x.strides[0] + c * x.strides[1]] - st[n]);
      let d = w(t) * (q - (c === t ? 1 : 0));
      if (s.smoothing) d = (1 - s.smoothing) * d + (s.smoothing / C) * (q * st[N + 1] - w(c));
      out[n * C + c] = gn * d;
    }
  }
}

/**
 * Cross entropy of logits [N, C] against int32 class targets [N], like F.cross_entropy: the same
 * value as nllLoss(logSoftmax(logits, 1), targets), computed in one kernel forward and one
 * backward (softmax minus one-hot). On webgpu a target out of range is raised at the next readback.
 */
export function crossEntropy(logits: Tensor, targets: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const { reduction, ignore, N, C, weight } = checkClassification('crossEntropy', logits, targets, options, CROSS_ENTROPY_OPTIONS);
  const smoothing = options.labelSmoothing ?? 0;
  if (!(typeof smoothing === 'number' && smoothing >= 0 && smoothing <= 1)) {
    throw new RangeError(`label_smoothing must be between 0.0 and 1.0. Got: ${smoothing}`);
  }
  const setup = { reduction, ignore, smoothing };
  const t = contiguous(targets);
  const out = empty(reduction === 'none' ? [N] : [], logits.dtype, logits.device);
  const stats = empty([N + 2], logits.dtype, logits.device);
  // g (the output's gradient) may be a broadcast view: it is read through its offset and stride.
  const params = (g?: Tensor) => ({
    N, C,
    off_x: logits.offset, s0: logits.strides[0], s1: logits.strides[1], off_t: t.offset,
    ignore_index: ignore,
    off_g: g?.offset ?? 0, sg: reduction === 'none' ? (g?.strides[0] ?? 0) : 0,
    off_w: weight?.offset ?? 0, smoothing,
  });
  const spec = (entry: string) => ({ family: 'cross-entropy', entry, constants: { REDUCTION: REDUCTIONS[reduction], WEIGHTED: weight ? 1 : 0 } });
  if (logits.device.type === 'cpu') cpuForward(logits, t, weight, setup, out, stats);
  else launch('crossEntropy', spec('forward'), [logits, t, logits, out, stats, weight ?? logits], params(), reduction === 'none' ? grid(N) : [1]);
  const saved = weight ? [logits, t, stats, weight] : [logits, t, stats];
  const result = record('CrossEntropyLoss', [logits], out, saved, (g, [sx, st, ss, sw = null]) => {
    const grad = empty([N, C], logits.dtype, g.device);
    if (g.device.type === 'cpu') cpuBackward(g, sx, st, sw, ss, setup, grad);
    else launch('crossEntropy.backward', spec('backward'), [sx, st, g, grad, ss, sw ?? sx], params(g), grid(N * C));
    return [grad];
  });
  if (t !== targets) t.dispose();
  if (weight && weight !== options.weight) weight.dispose();
  stats.dispose();
  return result;
}
