import { record } from '../autograd-hooks.ts';
import { empty } from '../alloc.ts';
import type { Tensor } from '../tensor.ts';
import { grid, launch } from './gpu.ts';
import { checkClassification, REDUCTIONS, type NllOptions, type Reduction } from './nll.ts';
import { contiguous } from './views.ts';

export type CrossEntropyOptions = NllOptions;

/**
 * Forward on the CPU (targets contiguous and checked): the losses, each row's log-sum-exp in
 * stats[n] and the count of targets that were not ignored in stats[N].
 */
function cpuForward(x: Tensor, targets: Tensor, reduction: Reduction, ignore: number, out: Tensor, stats: Tensor): void {
  const [N, C] = x.shape;
  const xs = x.storage.array;
  const at = (n: number, c: number) => xs[x.offset + n * x.strides[0] + c * x.strides[1]];
  const tg = targets.storage.array;
  const losses = out.storage.array;
  const st = stats.storage.array;
  let sum = 0;
  let count = 0;
  for (let n = 0; n < N; n++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, at(n, c));
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(at(n, c) - m);
    const lse = m + Math.log(s);
    st[n] = lse;
    const t = tg[targets.offset + n];
    const loss = t === ignore ? 0 : lse - at(n, t);
    if (t !== ignore) count++;
    if (reduction === 'none') losses[n] = loss;
    sum += loss;
  }
  if (reduction !== 'none') losses[0] = reduction === 'mean' ? sum / count : sum;
  st[N] = count;
}

function cpuBackward(g: Tensor, x: Tensor, targets: Tensor, stats: Tensor, reduction: Reduction, ignore: number, grad: Tensor): void {
  const [N, C] = x.shape;
  const xs = x.storage.array;
  const gd = g.storage.array;
  const tg = targets.storage.array;
  const st = stats.storage.array;
  const out = grad.storage.array;
  for (let n = 0; n < N; n++) {
    const t = tg[targets.offset + n];
    let gn = t === ignore ? 0 : gd[g.offset + n * (reduction === 'none' ? g.strides[0] : 0)];
    if (reduction === 'mean') gn /= st[N];
    for (let c = 0; c < C; c++) {
      const p = Math.exp(xs[x.offset + n * x.strides[0] + c * x.strides[1]] - st[n]);
      out[n * C + c] = t === ignore ? 0 : gn * (p - (c === t ? 1 : 0));
    }
  }
}

/**
 * Cross entropy of logits [N, C] against int32 class targets [N], like F.cross_entropy: the same
 * value as nllLoss(logSoftmax(logits, 1), targets), computed in one kernel forward and one
 * backward (softmax minus one-hot). On webgpu a target out of range is raised at the next readback.
 */
export function crossEntropy(logits: Tensor, targets: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const { reduction, ignore, N, C } = checkClassification('crossEntropy', logits, targets, options);
  const t = contiguous(targets);
  const out = empty(reduction === 'none' ? [N] : [], logits.dtype, logits.device);
  const stats = empty([N + 1], logits.dtype, logits.device);
  // g (the output's gradient) may be a broadcast view: it is read through its offset and stride.
  const params = (g?: Tensor) => ({
    N, C,
    off_x: logits.offset, s0: logits.strides[0], s1: logits.strides[1], off_t: t.offset,
    ignore_index: ignore,
    off_g: g?.offset ?? 0, sg: reduction === 'none' ? (g?.strides[0] ?? 0) : 0,
  });
  const spec = (entry: string) => ({ family: 'cross-entropy', entry, constants: { REDUCTION: REDUCTIONS[reduction] } });
  if (logits.device.type === 'cpu') cpuForward(logits, t, reduction, ignore, out, stats);
  else launch('crossEntropy', spec('forward'), [logits, t, logits, out, stats], params(), reduction === 'none' ? grid(N) : [1]);
  const result = record('CrossEntropyLoss', [logits], out, [logits, t, stats], (g, [sx, st, ss]) => {
    const grad = empty([N, C], logits.dtype, g.device);
    if (g.device.type === 'cpu') cpuBackward(g, sx, st, ss, reduction, ignore, grad);
    else launch('crossEntropy.backward', spec('backward'), [sx, st, g, grad, ss], params(g), grid(N * C));
    return [grad];
  });
  if (t !== targets) t.dispose();
  stats.dispose();
  return result;
}
