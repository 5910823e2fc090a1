import { record } from '../autograd-hooks.ts';
import { noGrad } from '../autograd/grad-mode.ts';
import { empty } from '../alloc.ts';
import { isFloating, type DType } from '../dtype.ts';
import { normalizeDim, numel, sameShape } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { arange, full } from '../creation.ts';
import { copyAs, div, eq, mul, where } from './elementwise.ts';
import { grid, launch, wgslType } from './gpu.ts';
import { contiguous, expand, permute, reshape } from './views.ts';

/** The longest reduction kernels/reduce.wgsl runs one invocation per output (its `short` entry), and its workgroup size. */
const SHORT_REDUCTION = 64;

/** The dims a reduction runs over: one, several, or (undefined or []) all of them. */
export type Dims = number | readonly number[] | undefined;

type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin';
/** Each op's constants in kernels/reduce.wgsl. */
const KERNEL: Record<ReduceOp, { OP: number; LARGEST?: number }> = {
  sum: { OP: 0 },
  max: { OP: 1, LARGEST: 1 },
  min: { OP: 1, LARGEST: 0 },
  argmax: { OP: 2, LARGEST: 1 },
  argmin: { OP: 2, LARGEST: 0 },
  prod: { OP: 3 },
};

/** Which dims of x a reduction over `dim` covers, and the shapes it produces. */
export interface ReducePlan {
  reduced: boolean[];
  /** The output's shape. */
  shape: number[];
  /** The output's shape with the reduced dims kept as 1 (keepdim's shape). */
  kept: number[];
  /** How many elements each output element reduces. */
  count: number;
}

export function reducePlan(x: Tensor, dim: Dims, keepdim: boolean): ReducePlan {
  const list = typeof dim === 'number' ? [dim] : (dim ?? []);
  const reduced = x.shape.map(() => list.length === 0);
  for (const d of list) {
    const i = normalizeDim(d, x.ndim);
    // A 0-d tensor has dims 0 and -1, which reduce nothing.
    if (x.ndim === 0) continue;
    if (reduced[i] && list.length > 0) throw new RangeError(`dim ${i} appears multiple times in the list of dims`);
    reduced[i] = true;
  }
  const kept = x.shape.map((s, i) => (reduced[i] ? 1 : s));
  const shape = keepdim ? kept : x.shape.filter((_, i) => !reduced[i]);
  const count = x.shape.reduce((p, s, i) => (reduced[i] ? p * s : p), 1);
  return { reduced, shape, kept, count };
}

/** The [outer, size, inner] split of x around dim d (a 0-d tensor reads as one element along dim 0). */
export function aroundDim(x: Tensor, d: number): { outer: number; size: number; inner: number } {
  return { outer: numel(x.shape.slice(0, d)), size: x.shape[d] ?? 1, inner: numel(x.shape.slice(d + 1)) };
}

/**
 * x laid out as a contiguous [outer, R, inner] block with the reduced dims in the middle: x itself
 * (or a contiguous copy) when the reduced dims are adjacent, else a copy with them moved last.
 */
function blockOf(x: Tensor, reduced: readonly boolean[]): { src: Tensor; outer: number; inner: number } {
  const first = reduced.indexOf(true);
  const last = reduced.lastIndexOf(true);
  const adjacent = first < 0 || reduced.slice(first, last + 1).every(Boolean);
  const size = (from: number, to: number) => numel(x.shape.slice(from, to));
  if (adjacent) {
    return first < 0 ? { src: contiguous(x), outer: x.numel(), inner: 1 } : { src: contiguous(x), outer: size(0, first), inner: size(last + 1, x.ndim) };
  }
  const keptDims = x.shape.flatMap((_, i) => (reduced[i] ? [] : [i]));
  const moved = permute(x, [...keptDims, ...x.shape.flatMap((_, i) => (reduced[i] ? [i] : []))]);
  const src = contiguous(moved);
  if (src !== moved) moved.dispose();
  return { src, outer: keptDims.reduce((p, i) => p * x.shape[i], 1), inner: 1 };
}

/** Runs one reduction kernel (or its cpu reference); not recorded. `scale` multiplies sums (mean). */
function reduce(op: ReduceOp, x: Tensor, dim: Dims, keepdim: boolean, outType: DType, scale = 1): Tensor {
  const { reduced, shape, count: r } = reducePlan(x, dim, keepdim);
  if (op !== 'sum' && op !== 'prod' && r === 0) {
    throw new RangeError(
      dim === undefined
        ? `${op}(): Expected reduction dim to be specified for input.numel() == 0.`
        : `${op}(): Expected reduction dim ${dim} to have non-zero size.`,
    );
  }
  const out = empty(shape, outType, x.device);
  noGrad(() => {
    const { src, outer, inner } = blockOf(x, reduced);
    if (x.device.type === 'cpu') reduceOnCpu(op, src, outer, r, inner, out, scale);
    else {
      const T = src.dtype === 'float32' ? 'f32' : 'i32';
      const template = { A: wgslType(src.dtype), T, OUT: wgslType(outType), SCALE: T === 'f32' ? 'p.scale' : '1' };
      const params = { outer, reduce: r, inner, offset: src.offset, scale };
      const constants = { ...KERNEL[op], FLOAT: T === 'f32' ? 1 : 0 };
      const short = r <= SHORT_REDUCTION;
      const spec = { family: 'reduce', entry: short ? 'short' : 'main', template, constants };
      if (out.numel() > 0) launch(op, spec, [src, out], params, grid(outer * inner, short ? SHORT_REDUCTION : 1));
    }
    if (src !== x) src.dispose();
  });
  return out;
}

/** The cpu reference of reduce.wgsl over a contiguous [outer, R, inner] block. */
function reduceOnCpu(op: ReduceOp, src: Tensor, outer: number, r: number, inner: number, out: Tensor, scale: number): void {
  const a = src.storage.array;
  const dst = out.storage.array;
  const largest = op === 'max' || op === 'argmax';
  const integral = !isFloating(src.dtype);
  const beats = (v: number, best: number) => (Number.isNaN(v) ? !Number.isNaN(best) : largest ? v > best : v < best);
  for (let o = 0; o < outer * inner; o++) {
    const base = src.offset + Math.floor(o / inner) * r * inner + (o % inner);
    let acc = op === 'sum' ? 0 : op === 'prod' ? 1 : a[base];
    let best = 0;
    for (let k = 0; k < r; k++) {
      const v = a[base + k * inner];
      if (op === 'sum') acc += v;
      else if (op === 'prod') acc = integral ? Math.imul(acc, v) : acc * v;
      else if (beats(v, acc)) {
        acc = v;
        best = k;
      }
    }
    dst[o] = op === 'argmax' || op === 'argmin' ? best : op === 'sum' ? acc * scale : acc;
  }
}

function sumType(x: Tensor): DType {
  return isFloating(x.dtype) ? x.dtype : 'int32';
}

/** g (the gradient of a reduction with this plan) broadcast back over x's shape. */
function expandBack(g: Tensor, x: Tensor, plan: ReducePlan): Tensor {
  return expand(reshape(g, plan.kept), x.shape);
}

/** The sum over dim (one, several, or all), like torch.sum; integers sum in int32. */
export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const plan = reducePlan(x, dim, keepdim);
  const out = reduce('sum', x, dim, keepdim, sumType(x));
  return record('Sum', [x], out, [], (g) => [expandBack(g, x, plan)]);
}

/** The mean over dim (one, several, or all), like torch.mean; floats only. */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  if (!isFloating(x.dtype)) {
    throw new TypeError(`mean(): could not infer output dtype. Input dtype must be floating point, but got ${x.dtype}`);
  }
  const plan = reducePlan(x, dim, keepdim);
  const out = reduce('sum', x, dim, keepdim, x.dtype, 1 / plan.count);
  return record('Mean', [x], out, [], (g) => [div(expandBack(g, x, plan), plan.count)]);
}

function extreme(op: 'max' | 'min', x: Tensor, dim: Dims, keepdim: boolean): Tensor {
  const plan = reducePlan(x, dim, keepdim);
  const out = reduce(op, x, dim, keepdim, x.dtype === 'bool' ? 'int32' : x.dtype);
  // The gradient is shared evenly among tied extremes, as in PyTorch's amax/amin and max()/min().
  return record(op === 'max' ? 'Amax' : 'Amin', [x], out, [x, out], (g, [sx, sout]) => {
    const mask = eq(sx, expandBack(sout, x, plan));
    const ties = expandBack(sum(mask, dim, true), x, plan);
    return [where(mask, div(expandBack(g, x, plan), ties), 0)];
  });
}

/** The maximum over dim (one, several, or all), like torch.amax; tied maxima share the gradient. */
export function amax(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return extreme('max', x, dim, keepdim);
}

/** The minimum over dim (one, several, or all), like torch.amin; tied minima share the gradient. */
export function amin(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return extreme('min', x, dim, keepdim);
}

/**
 * PyTorch's (values, indices) result (torch.return_types): a two-element array, so that
 * `const [values, indices] = x.max(1)` works, with the fields named too (`x.max(1).values`).
 */
export type ValuesIndices = readonly [values: Tensor, indices: Tensor] & {
  /** The reduced values. */
  readonly values: Tensor;
  /** The positions of the values along the reduced dim. */
  readonly indices: Tensor;
};

/** A (values, indices) pair, destructurable both as an array and as an object. */
export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return Object.assign([values, indices] as const, { values, indices });
}

/**
 * The values of x at `indices` along dim (the index each output element was taken from), and
 * their gradient: each output's gradient goes to the one element it came from.
 */
function takenAt(name: string, x: Tensor, dim: number, keepdim: boolean, values: Tensor, indices: Tensor): Tensor {
  const d = normalizeDim(dim, x.ndim);
  const plan = reducePlan(x, d, keepdim);
  return record(name, [x], values, [indices], (g, [ix]) => {
    const positions = reshape(arange(0, x.shape[d] ?? 1, 1, { dtype: 'int32', device: x.device }), x.shape.map((s, i) => (i === d ? s : 1)));
    const hit = eq(positions, expandBack(ix, x, plan));
    return [where(hit, expandBack(g, x, plan), 0)];
  });
}

function extremeWithIndex(op: 'max' | 'min', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor | ValuesIndices {
  if (dim === undefined) return extreme(op, x, undefined, false);
  const indices = reduce(op === 'max' ? 'argmax' : 'argmin', x, dim, keepdim, 'int32');
  const values = reduce(op, x, dim, keepdim, x.dtype === 'bool' ? 'int32' : x.dtype);
  return valuesIndices(takenAt(op === 'max' ? 'Max' : 'Min', x, dim, keepdim, values, indices), indices);
}

/**
 * max(x): the largest element. max(x, dim, keepdim): the largest along dim and where it is, as
 * PyTorch's (values, indices) (see ValuesIndices); the gradient goes to that index. amax is the
 * values-only form over any dims.
 */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return extremeWithIndex('max', x, dim, keepdim);
}

/** min(x): the smallest element; min(x, dim, keepdim): PyTorch's (values, indices), as max. */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return extremeWithIndex('min', x, dim, keepdim);
}

/** Index of the (first) maximum over dim, or over the flattened tensor; int32. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return reduce('argmax', x, dim, keepdim, 'int32');
}

/** Index of the (first) minimum over dim, or over the flattened tensor; int32. */
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return reduce('argmin', x, dim, keepdim, 'int32');
}

/**
 * The product over dim (or all), like torch.prod; integers multiply in int32 (wrapping where
 * PyTorch's int64 would not). Its gradient is exact with zeros in the input: an element's is the
 * product of the others.
 */
export function prod(x: Tensor, dim?: number, keepdim = false): Tensor {
  const plan = reducePlan(x, dim, keepdim);
  const out = reduce('prod', x, dim, keepdim, x.dtype === 'bool' ? 'int32' : x.dtype);
  return record('Prod', [x], out, [x, out], (g, [sx, sout]) => {
    const zero = eq(sx, 0);
    const others = where(zero, 1, sx);
    // With one zero in a slice, the zero's gradient is the product of the rest; with more, 0.
    const rest = reduce('prod', others, dim, true, others.dtype);
    const zeros = sum(zero, dim, true);
    const atZero = where(eq(zeros, 1), rest, 0);
    const local = where(zero, expand(atZero, x.shape), div(expandBack(sout, x, plan), others));
    return [mul(expandBack(g, x, plan), local)];
  });
}

function truth(op: 'max' | 'min', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  const plan = reducePlan(x, dim, keepdim);
  // Over nothing, all() is true and any() false.
  if (plan.count === 0) return full(plan.shape, op === 'min' ? 1 : 0, { dtype: 'bool', device: x.device });
  const nonzero = x.dtype === 'bool' ? x : copyAs(x, 'bool');
  const out = reduce(op, nonzero, dim, keepdim, 'bool');
  if (nonzero !== x) nonzero.dispose();
  return out;
}

/** Whether any element over dim (or all) is nonzero, like torch.any; bool. */
export function any(x: Tensor, dim?: number, keepdim = false): Tensor {
  return truth('max', x, dim, keepdim);
}

/** Whether every element over dim (or all) is nonzero, like torch.all; bool. */
export function all(x: Tensor, dim?: number, keepdim = false): Tensor {
  return truth('min', x, dim, keepdim);
}

/** Sums g over broadcast dims so that it has `shape`: the gradient of a broadcast operand. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims = g.shape.flatMap((s, i) => (i < lead || (shape[i - lead] === 1 && s !== 1) ? [i] : []));
  return reshape(sum(g, dims, true), shape);
}
