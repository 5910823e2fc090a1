import { record } from '../autograd-hooks.ts';
import { empty } from '../alloc.ts';
import type { Device } from '../device/device.ts';
import { numel } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { checkDType, checkSameDevice, FLOATS } from './checks.ts';
import { grid, launch, placeholder } from './gpu.ts';
import { contiguous } from './views.ts';

/**
 * Batch and layer normalization as one family (kernels/norm-stats.wgsl, kernels/norm.wgsl): the
 * input is viewed as [A, K, B] and normalized by the mean and variance of each k over (a, b).
 * Batch norm: [N, C, spatial] with K = C and the affine parameters per k; layer norm: [1, rows,
 * normalized] with K = rows and the affine parameters per b.
 */
interface Layout {
  A: number;
  K: number;
  B: number;
  /** Where weight and bias vary: none, along k (batch norm) or along b (layer norm). */
  affine: 'none' | 'k' | 'b';
}
const AFFINE_CODES = { none: 0, k: 1, b: 2 } as const;

/** Batch norm's running statistics: read in eval mode, updated in place by a training step when `update`. */
interface Running {
  mean: Tensor;
  var: Tensor;
  /** null: the cumulative average, factor 1 / numBatchesTracked (already incremented). */
  momentum: number | null;
  numBatchesTracked: Tensor | null;
  update: boolean;
}

/** A slot the kernel writes but this call does not read: its own one-element buffer (written slots need distinct buffers). */
function scratch(device: Device): Tensor {
  return empty([1], 'float32', device);
}

/** [means (K), inverse deviations (K)] of x [A, K, B]: of the batch (updating `running`), or from the running statistics. */
function statistics(x: Tensor, l: Layout, eps: number, training: boolean, running: Running | null): Tensor {
  const { A, K, B } = l;
  const stats = empty([2 * K], x.dtype, x.device);
  const update = training && running?.update === true;
  if (x.device.type === 'cpu') {
    const src = x.storage.array;
    const out = stats.storage.array;
    for (let k = 0; k < K; k++) {
      if (!training) {
        out[k] = running!.mean.storage.array[running!.mean.offset + k];
        out[K + k] = 1 / Math.sqrt(running!.var.storage.array[running!.var.offset + k] + eps);
        continue;
      }
      let total = 0;
      for (let a = 0; a < A; a++) for (let b = 0; b < B; b++) total += src[x.offset + (a * K + k) * B + b];
      const mean = total / (A * B);
      let squares = 0;
      for (let a = 0; a < A; a++) for (let b = 0; b < B; b++) squares += (src[x.offset + (a * K + k) * B + b] - mean) ** 2;
      out[k] = mean;
      out[K + k] = 1 / Math.sqrt(squares / (A * B) + eps);
      if (update) {
        const r = running!;
        const f = r.momentum ?? 1 / r.numBatchesTracked!.storage.array[r.numBatchesTracked!.offset];
        const rm = r.mean.storage.array;
        const rv = r.var.storage.array;
        rm[r.mean.offset + k] = (1 - f) * rm[r.mean.offset + k] + f * mean;
        rv[r.var.offset + k] = (1 - f) * rv[r.var.offset + k] + (f * squares) / (A * B - 1);
      }
    }
    return stats;
  }
  if (K === 0) return stats;
  const spare = running && (update || !training) ? [] : [scratch(x.device), scratch(x.device)];
  const [rm, rv] = spare.length ? spare : [running!.mean, running!.var];
  const batches = running?.numBatchesTracked ?? placeholder(x.device);
  const constants = { TRAINING: training ? 1 : 0, UPDATE: update ? 1 : 0, CUMULATIVE: running?.momentum === null ? 1 : 0 };
  const params = { A, K, B, off_x: x.offset, eps, momentum: running?.momentum ?? 0 };
  launch(training ? 'batchNorm.stats' : 'batchNorm.eval', { family: 'norm-stats', constants }, [x, rm, rv, batches, stats], params, grid(K, 64));
  for (const t of spare) t.dispose();
  return stats;
}

function affineAt(l: Layout, w: ArrayLike<number> | undefined, off: number, k: number, b: number): number {
  if (!w || l.affine === 'none') return 1;
  return w[off + (l.affine === 'k' ? k : b)];
}

function normalize(x: Tensor, stats: Tensor, weight: Tensor | null, bias: Tensor | null, l: Layout): Tensor {
  const { A, K, B } = l;
  const out = empty([A * K * B], x.dtype, x.device);
  if (x.device.type === 'cpu') {
    const src = x.storage.array;
    const s = stats.storage.array;
    const dst = out.storage.array;
    const w = weight?.storage.array;
    const bb = bias?.storage.array;
    for (let i = 0; i < A * K * B; i++) {
      const [k, b] = [Math.floor(i / B) % K, i % B];
      const h = (src[x.offset + i] - s[k]) * s[K + k];
      dst[i] = h * affineAt(l, w, weight?.offset ?? 0, k, b) + (bb ? affineAt(l, bb, bias!.offset, k, b) : 0);
    }
    return out;
  }
  if (out.numel() === 0) return out;
  const [sums, out2] = [scratch(x.device), scratch(x.device)];
  const ph = placeholder(x.device);
  const spec = { family: 'norm', constants: { AFFINE: AFFINE_CODES[l.affine], TRAINING: 1 } };
  launch('norm', spec, [x, ph, weight ?? ph, bias ?? ph, stats, sums, out, out2], { A, K, B, off_x: x.offset, off_g: 0 }, grid(out.numel()));
  sums.dispose();
  out2.dispose();
  return out;
}

/** Gradients of input, weight and bias (null where not wanted) from the output gradient g. */
function normBackward(x: Tensor, g: Tensor, stats: Tensor, weight: Tensor | null, l: Layout, training: boolean, want: [boolean, boolean, boolean]): (Tensor | null)[] {
  const { A, K, B } = l;
  const M = A * B;
  const affineShape = l.affine === 'k' ? [K] : [B];
  const gx = want[0] ? empty([A * K * B], x.dtype, x.device) : null;
  const hasAffine = l.affine !== 'none' && (want[1] || want[2]);
  const gw = hasAffine ? empty(affineShape, x.dtype, x.device) : null;
  const gb = hasAffine ? empty(affineShape, x.dtype, x.device) : null;
  if (x.device.type === 'cpu') {
    const [X, G, S] = [x.storage.array, g.storage.array, stats.storage.array];
    const w = weight?.storage.array;
    const wo = weight?.offset ?? 0;
    const xhat = (i: number, k: number) => (X[x.offset + i] - S[k]) * S[K + k];
    const sums = new Float64Array(2 * K);
    if (gw) gw.storage.array.fill(0);
    if (gb) gb.storage.array.fill(0);
    for (let i = 0; i < A * K * B; i++) {
      const [k, b] = [Math.floor(i / B) % K, i % B];
      const gi = G[g.offset + i];
      const h = xhat(i, k);
      const gs = gi * affineAt(l, w, wo, k, b);
      sums[k] += gs;
      sums[K + k] += gs * h;
      const j = l.affine === 'k' ? k : b;
      if (gw) gw.storage.array[j] += gi * h;
      if (gb) gb.storage.array[j] += gi;
    }
    if (gx) {
      const dst = gx.storage.array;
      for (let i = 0; i < A * K * B; i++) {
        const [k, b] = [Math.floor(i / B) % K, i % B];
        let d = G[g.offset + i] * affineAt(l, w, wo, k, b);
        if (training) d -= (sums[k] + xhat(i, k) * sums[K + k]) / M;
        dst[i] = d * S[K + k];
      }
    }
  } else if (A * K * B > 0) {
    const ph = placeholder(x.device);
    const sums = empty([2 * K], x.dtype, x.device);
    const constants = { AFFINE: AFFINE_CODES[l.affine], TRAINING: training ? 1 : 0 };
    const params = { A, K, B, off_x: x.offset, off_g: g.offset };
    const spare = [scratch(x.device), scratch(x.device)];
    const byK = l.affine === 'k' && gw ? [gw, gb!] : spare;
    launch('norm.backward', { family: 'norm', entry: 'reduce_grad', constants }, [x, g, weight ?? ph, ph, stats, sums, ...byK], params, grid(K, 64));
    if (gx) launch('norm.backward', { family: 'norm', entry: 'input_grad', constants }, [x, g, weight ?? ph, ph, stats, sums, gx, spare[0]], params, grid(gx.numel()));
    if (l.affine === 'b' && gw) launch('norm.backward', { family: 'norm', entry: 'affine_grad_b', constants }, [x, g, weight ?? ph, ph, stats, sums, gw, gb!], params, grid(B, 64));
    sums.dispose();
    for (const t of spare) t.dispose();
  }
  return [gx, want[1] ? gw : (gw?.dispose(), null), want[2] ? gb : (gb?.dispose(), null)];
}

/** Normalizes x by `layout`, recording one node whose backward gives the input, weight and bias gradients. */
function normalization(name: string, input: Tensor, weight: Tensor | null, bias: Tensor | null, l: Layout, eps: number, training: boolean, running: Running | null): Tensor {
  const x = contiguous(input);
  const stats = statistics(x, l, eps, training, running);
  const flat = normalize(x, stats, weight, bias, l);
  const out = flat.reshape(input.shape);
  flat.dispose();
  const inputs = [input, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  record(name, inputs, out, [x, stats, ...(weight ? [weight] : [])], (g, [sx, sstats, sw]) => {
    const gc = contiguous(g);
    const want: [boolean, boolean, boolean] = [input.requiresGrad, weight?.requiresGrad ?? false, bias?.requiresGrad ?? false];
    const [gx, gw, gb] = normBackward(sx, gc, sstats, sw ?? null, l, training, want);
    if (gc !== g) gc.dispose();
    const shaped = (t: Tensor | null, shape: readonly number[]) => {
      if (!t) return null;
      const r = t.reshape(shape);
      t.dispose();
      return r;
    };
    return [shaped(gx, input.shape), ...(weight ? [shaped(gw, weight.shape)] : []), ...(bias ? [shaped(gb, bias.shape)] : [])];
  });
  if (x !== input) x.dispose();
  stats.dispose();
  return out;
}

function checkFloat(op: string, input: Tensor, others: (Tensor | null)[]): void {
  checkDType(op, input, FLOATS);
  const present = others.filter((t): t is Tensor => t !== null);
  checkSameDevice([input, ...present]);
  for (const t of present) checkDType(op, t, [input.dtype], 'parameter or running statistic');
}

/** The options of batchNorm after its tensors, with PyTorch's defaults. */
export interface BatchNormOptions {
  /** The per-channel scale γ, or null/omitted for none. */
  weight?: Tensor | null;
  /** The per-channel shift β, or null/omitted for none. */
  bias?: Tensor | null;
  /** Normalize by the batch's statistics (and update the running ones) rather than by the running ones. */
  training?: boolean;
  /** The running statistics' update factor; null: their cumulative average over numBatchesTracked batches. */
  momentum?: number | null;
  /** Added to the variance for numerical stability: 1e-5 by default. */
  eps?: number;
  /** With momentum null: the count of batches so far, an int32 scalar already incremented for this batch. */
  numBatchesTracked?: Tensor | null;
}

/**
 * Batch normalization over the channels (dim 1) of input [N, C, ...], like F.batch_norm: in
 * training, by the batch's statistics over every dim but 1, updating the running statistics in
 * place (the variance unbiased) when given; otherwise by the running statistics.
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  const { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5, numBatchesTracked = null } = options;
  checkFloat('batch_norm', input, [runningMean, runningVar, weight, bias]);
  if (input.ndim < 2) throw new RangeError(`batch_norm: expected input with at least 2 dims [N, C, ...], found size [${input.shape.join(', ')}]`);
  const [N, C] = input.shape;
  const B = numel(input.shape.slice(2));
  for (const [what, t] of [['running_mean', runningMean], ['running_var', runningVar], ['weight', weight], ['bias', bias]] as const) {
    if (t && (t.numel() !== C || !t.isContiguous())) {
      throw new RangeError(`batch_norm: expected ${what} to be a contiguous tensor of ${C} elements (the channels of input [${input.shape.join(', ')}]), found size [${t.shape.join(', ')}]`);
    }
  }
  if ((runningMean === null) !== (runningVar === null)) throw new RangeError('batch_norm: running_mean and running_var must be given together');
  if (!training && !runningMean) throw new RangeError('running_mean and running_var must be defined in evaluation mode');
  if (training && N * B <= 1) throw new RangeError(`Expected more than 1 value per channel when training, got input size [${input.shape.join(', ')}]`);
  if (training && runningMean && momentum === null && !numBatchesTracked) throw new RangeError('batch_norm: momentum null (a cumulative average) needs numBatchesTracked');
  if (weight && !bias || !weight && bias) throw new RangeError('batch_norm: weight and bias must be given together');
  const running = runningMean ? { mean: runningMean, var: runningVar!, momentum, numBatchesTracked, update: training } : null;
  return normalization('NativeBatchNorm', input, weight, bias, { A: N, K: C, B, affine: weight ? 'k' : 'none' }, eps, training, running);
}

/** Layer normalization over the last dims (normalizedShape) of input, like F.layer_norm. */
export function layerNorm(input: Tensor, normalizedShape: readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  checkFloat('layer_norm', input, [weight, bias]);
  const n = normalizedShape.length;
  const tail = input.shape.slice(input.ndim - n);
  if (n === 0 || input.ndim < n || tail.some((s, i) => s !== normalizedShape[i])) {
    throw new RangeError(
      `Given normalized_shape=[${normalizedShape.join(', ')}], expected input with shape [*, ${normalizedShape.join(', ')}], but got input of size[${input.shape.join(', ')}]`,
    );
  }
  const D = numel(tail);
  for (const [what, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && (t.shape.length !== n || t.shape.some((s, i) => s !== normalizedShape[i]) || !t.isContiguous())) {
      throw new RangeError(`Expected ${what} to be of same shape as normalized_shape, but got ${what} of shape [${t.shape.join(', ')}] and normalized_shape = [${normalizedShape.join(', ')}]`);
    }
  }
  if (weight && !bias || !weight && bias) throw new RangeError('layer_norm: weight and bias must be given together');
  const layout: Layout = { A: 1, K: input.numel() / (D || 1), B: D, affine: weight ? 'b' : 'none' };
  return normalization('NativeLayerNorm', input, weight, bias, layout, eps, true, null);
}
