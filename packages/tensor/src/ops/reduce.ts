import { record } from '../autograd-hooks.ts';
import { empty } from '../alloc.ts';
import { isFloating, type DType } from '../dtype.ts';
import { normalizeDim, sameShape } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { div, eq, where } from './elementwise.ts';
import { grid, launch, wgslType } from './gpu.ts';
import { contiguous, expand, reshape } from './views.ts';

type ReduceOp = 'sum' | 'max' | 'argmax';
const CODES: Record<ReduceOp, number> = { sum: 0, max: 1, argmax: 2 };

/** Output shape and the [outer, R, inner] split of a reduction over `dim` (all dims when undefined). */
function plan(x: Tensor, dim: number | undefined, keepdim: boolean) {
  if (dim === undefined) {
    return { outer: 1, reduce: x.numel(), inner: 1, shape: keepdim ? x.shape.map(() => 1) : [] };
  }
  const d = normalizeDim(dim, x.ndim);
  const outer = x.shape.slice(0, d).reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const shape = keepdim ? x.shape.map((s, i) => (i === d ? 1 : s)) : x.shape.filter((_, i) => i !== d);
  return { outer, reduce: x.ndim === 0 ? 1 : x.shape[d], inner, shape };
}

function reduce(op: ReduceOp, x: Tensor, dim: number | undefined, keepdim: boolean, outType: DType, scale = 1): Tensor {
  const { outer, reduce: r, inner, shape } = plan(x, dim, keepdim);
  if (op !== 'sum' && r === 0) {
    throw new RangeError(
      dim === undefined
        ? `${op}(): Expected reduction dim to be specified for input.numel() == 0.`
        : `${op}(): Expected reduction dim ${dim} to have non-zero size.`,
    );
  }
  const out = empty(shape, outType, x.device);
  const src = contiguous(x);
  if (x.device.type === 'cpu') {
    const a = src.storage.array;
    const dst = out.storage.array;
    for (let o = 0; o < outer * inner; o++) {
      const base = src.offset + Math.floor(o / inner) * r * inner + (o % inner);
      let acc = op === 'sum' ? 0 : a[base];
      let best = 0;
      for (let k = 0; k < r; k++) {
        const v = a[base + k * inner];
        if (op === 'sum') acc += v;
        else if (v > acc || (Number.isNaN(v) && !Number.isNaN(acc))) {
          acc = v;
          best = k;
        }
      }
      dst[o] = op === 'argmax' ? best : op === 'sum' ? acc * scale : acc;
    }
  } else {
    const A = wgslType(src.dtype);
    const T = src.dtype === 'float32' ? 'f32' : 'i32';
    const template = { A, T, OUT: wgslType(outType), SCALE: T === 'f32' ? 'p.scale' : '1' };
    const params = { outer, reduce: r, inner, offset: src.offset, scale };
    const n = outer * inner;
    if (n > 0) launch(op, { family: 'reduce', template, constants: { OP: CODES[op], FLOAT: T === 'f32' ? 1 : 0 } }, [src, out], params, grid(n, 1));
  }
  if (src !== x) src.dispose();
  return out;
}

function sumType(x: Tensor): DType {
  return isFloating(x.dtype) ? x.dtype : 'int32';
}

/** g (the gradient of a reduction) broadcast back over x's shape. */
function expandBack(g: Tensor, x: Tensor, dim: number | undefined): Tensor {
  const d = dim === undefined ? -1 : normalizeDim(dim, x.ndim);
  const kept = x.shape.map((s, i) => (dim === undefined || i === d ? 1 : s));
  return expand(reshape(g, kept), x.shape);
}

export function sum(x: Tensor, dim?: number, keepdim = false): Tensor {
  const out = reduce('sum', x, dim, keepdim, sumType(x));
  return record('Sum', [x], out, [], (g) => [expandBack(g, x, dim)]);
}

export function mean(x: Tensor, dim?: number, keepdim = false): Tensor {
  if (!isFloating(x.dtype)) {
    throw new TypeError(`mean(): could not infer output dtype. Input dtype must be floating point, but got ${x.dtype}`);
  }
  const count = plan(x, dim, keepdim).reduce;
  const out = reduce('sum', x, dim, keepdim, x.dtype, 1 / count);
  return record('Mean', [x], out, [], (g) => [div(expandBack(g, x, dim), count)]);
}

/** The maximum over dim (or all); its gradient is shared evenly among tied maxima, like torch.amax. */
export function max(x: Tensor, dim?: number, keepdim = false): Tensor {
  const out = reduce('max', x, dim, keepdim, x.dtype === 'bool' ? 'int32' : x.dtype);
  return record('Max', [x], out, [x, out], (g, [sx, sout]) => {
    const mask = eq(sx, expandBack(sout, x, dim));
    const ties = expandBack(sum(mask, dim, keepdim), x, dim);
    return [where(mask, div(expandBack(g, x, dim), ties), 0)];
  });
}

/** Index of the (first) maximum over dim, or over the flattened tensor; int32. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return reduce('argmax', x, dim, keepdim, 'int32');
}

/** Sums g over broadcast dims so that it has `shape`: the gradient of a broadcast operand. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  let out = g;
  while (out.ndim > shape.length) out = sum(out, 0);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1 && out.shape[d] !== 1) out = sum(out, d, true);
  }
  return out;
}
