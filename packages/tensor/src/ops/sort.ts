import { record } from '../autograd-hooks.ts';
import { noGrad } from '../autograd/grad-mode.ts';
import { empty } from '../alloc.ts';
import { normalizeDim } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { zeros } from '../creation.ts';
import { grid, launch, wgslType } from './gpu.ts';
import { callArguments } from './call-arguments.ts';
import { aroundDim, valuesIndices, type ValuesIndices } from './reduce.ts';
import { contiguous } from './views.ts';

/** Whether a comes before b in an ascending (or descending) sort: NaN is above every number. */
function before(a: number, ia: number, b: number, ib: number, descending: boolean): boolean {
  const [na, nb] = [Number.isNaN(a), Number.isNaN(b)];
  if (na || nb) return na && nb ? ia < ib : na === descending;
  return (descending ? a > b : a < b) || (a === b && ia < ib);
}

/** The first k of each line along dim in sorted order, and their indices (kernels/sort.wgsl). Not recorded. */
function sortLines(x: Tensor, d: number, k: number, descending: boolean): { values: Tensor; indices: Tensor } {
  const { outer, size: reduce, inner } = aroundDim(x, d);
  const shape = x.shape.map((s, i) => (i === d ? k : s));
  const values = empty(shape, x.dtype, x.device);
  const indices = empty(shape, 'int32', x.device);
  const src = contiguous(x);
  if (x.device.type === 'cpu') {
    const a = src.storage.array;
    const [v, ix] = [values.storage.array, indices.storage.array];
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < inner; j++) {
        const at = (r: number) => a[src.offset + (o * reduce + r) * inner + j];
        const order = Array.from({ length: reduce }, (_, r) => r).sort((p, q) => (before(at(p), p, at(q), q, descending) ? -1 : 1));
        for (let r = 0; r < k; r++) {
          v[(o * k + r) * inner + j] = at(order[r]);
          ix[(o * k + r) * inner + j] = order[r];
        }
      }
    }
  } else if (values.numel() > 0) {
    const T = wgslType(x.dtype);
    const params = { outer, reduce, inner, k, offset: src.offset };
    const constants = { DESCENDING: descending ? 1 : 0, FLOAT: T === 'f32' ? 1 : 0 };
    launch('sort', { family: 'sort', template: { T }, constants }, [src, values, indices], params, grid(outer * reduce * inner));
  }
  if (src !== x) src.dispose();
  return { values, indices };
}

/** The gradient of sorted values: each goes back to the element it was taken from (0 elsewhere). */
function scatterBack(g: Tensor, indices: Tensor, shape: readonly number[], d: number): Tensor {
  const { outer, size: k, inner } = aroundDim(g, d);
  const reduce = shape[d] ?? 1;
  const grad = zeros(shape, { dtype: g.dtype, device: g.device });
  const src = contiguous(g);
  if (g.device.type === 'cpu') {
    const [a, ix, out] = [src.storage.array, indices.storage.array, grad.storage.array];
    for (let e = 0; e < outer * k * inner; e++) {
      const [j, o] = [e % inner, Math.floor(e / (inner * k))];
      out[(o * reduce + ix[indices.offset + e]) * inner + j] = a[src.offset + e];
    }
  } else if (src.numel() > 0) {
    const params = { outer, reduce, inner, k, offset: src.offset };
    launch('sort.scatter_back', { family: 'sort', entry: 'scatter_back', template: { T: wgslType(g.dtype) } }, [src, grad, indices], params, grid(outer * k * inner));
  }
  if (src !== g) src.dispose();
  return grad;
}

function sorted(name: string, x: Tensor, dim: number, k: number, descending: boolean): ValuesIndices {
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d] ?? 1;
  if (!Number.isInteger(k) || k < 0 || k > size) throw new RangeError(`selected index k out of range (k = ${k}, dimension size ${size})`);
  const { values, indices } = noGrad(() => sortLines(x, d, k, descending));
  const shape = x.shape;
  record(name, [x], values, [indices], (g, [ix]) => [scatterBack(g, ix, shape, d)]);
  return valuesIndices(values, indices);
}

/** Keyword arguments of sort and argsort. */
export interface SortOptions {
  /** The dim to sort along: -1 (the last) by default. */
  dim?: number;
  /** Sort largest first: false by default. */
  descending?: boolean;
  /** Keep the order of equal elements: mini's sort always does (so true and false agree). */
  stable?: boolean;
}

/** sort's and argsort's arguments after the tensor: (dim, descending), with options last. */
export type SortArgs = [] | [SortOptions] | [number, SortOptions?] | [number, boolean, SortOptions?];

function sortArguments(fn: string, args: SortArgs): { dim: number; descending: boolean } {
  const { dim = -1, descending = false } = callArguments<SortOptions>(fn, args, ['dim', 'descending'], ['dim', 'descending', 'stable']);
  return { dim, descending };
}

/**
 * The elements along dim (default -1) in ascending (or descending) order and where they were,
 * as PyTorch's (values, indices), like torch.sort. Always stable; NaN sorts above every number.
 * On webgpu each element finds its rank in O(R): meant for lines up to some thousands.
 */
export function sort(x: Tensor, ...args: SortArgs): ValuesIndices {
  const { dim, descending } = sortArguments('sort', args);
  return sorted('Sort', x, dim, x.shape[normalizeDim(dim, x.ndim)] ?? 1, descending);
}

/** The indices that sort x along dim, like torch.argsort (the indices of sort). */
export function argsort(x: Tensor, ...args: SortArgs): Tensor {
  const { dim, descending } = sortArguments('argsort', args);
  const d = normalizeDim(dim, x.ndim);
  const { values, indices } = noGrad(() => sortLines(x, d, x.shape[d] ?? 1, descending));
  values.dispose();
  return indices;
}

/** Keyword arguments of topk. */
export interface TopkOptions {
  /** The dim to pick along: -1 (the last) by default. */
  dim?: number;
  /** The k largest (true, the default) or smallest. */
  largest?: boolean;
  /** The k elements in order: mini always returns them sorted. */
  sorted?: boolean;
}

/** topk's arguments after k: (dim, largest, sorted), with options last. */
export type TopkArgs = [] | [TopkOptions] | [number, TopkOptions?] | [number, boolean, TopkOptions?] | [number, boolean, boolean, TopkOptions?];

/** The k largest (or smallest) elements along dim (default -1), sorted, with their indices, like torch.topk. */
export function topk(x: Tensor, k: number, ...args: TopkArgs): ValuesIndices {
  const { dim = -1, largest = true } = callArguments<TopkOptions>('topk', args, ['dim', 'largest', 'sorted'], ['dim', 'largest', 'sorted']);
  return sorted('Topk', x, dim, k, largest);
}
