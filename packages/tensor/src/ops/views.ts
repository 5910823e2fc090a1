import { record } from '../autograd-hooks.ts';
import { device as resolveDevice, type DeviceLike } from '../device/device.ts';
import { DTYPES, isFloating, type DType } from '../dtype.ts';
import { checkShape, contiguousStrides, inferShape, normalizeDim } from '../shape.ts';
import { Tensor } from '../tensor.ts';
import { upload, zeros } from '../creation.ts';
import { copyAs, copyInto } from './elementwise.ts';
import { readArray } from '../readback.ts';
import { sumToShape } from './reduce.ts';
import { normalizeBytes } from './bytes.ts';

/** A view of x's storage with another shape/strides/offset (not recorded); autograd knows it as a view of x's base. */
export function viewOf(x: Tensor, shape: readonly number[], strides: readonly number[], offset = x.offset): Tensor {
  const view = new Tensor(x.storage.retain(), [...shape], x.dtype, [...strides], offset);
  const base = x.viewOrigin?.base ?? x;
  view.viewOrigin = { base, baseGradFn: base.gradFn };
  return view;
}

/** Strides for viewing x as `shape` without a copy, or null when x's layout does not allow it (PyTorch's computeStride). */
function viewStrides(x: Tensor, shape: readonly number[]): number[] | null {
  if (x.isContiguous() || x.numel() === 0) return contiguousStrides(shape);
  const { shape: old, strides: oldStrides } = x;
  const strides = new Array<number>(shape.length);
  let viewD = shape.length - 1;
  let chunkBase = oldStrides[old.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = old.length - 1; d >= 0; d--) {
    tensorNumel *= old[d];
    if (d === 0 || (old[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        strides[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? strides : null;
}

/** Like torch.view: no copy, and PyTorch's error when the layout does not allow it. */
export function view(x: Tensor, requested: readonly number[]): Tensor {
  const shape = inferShape(requested, x.numel(), x.shape);
  const strides = viewStrides(x, shape);
  if (!strides) {
    throw new Error(
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
    );
  }
  const from = x.shape;
  return record('View', [x], viewOf(x, shape, strides), [], (g) => [reshape(g, from)]);
}

/** Like torch.reshape: a view when possible, else a copy. */
export function reshape(x: Tensor, requested: readonly number[]): Tensor {
  const shape = inferShape(requested, x.numel(), x.shape);
  if (viewStrides(x, shape)) return view(x, shape);
  const dense = contiguous(x);
  const out = view(dense, shape);
  dense.dispose();
  return out;
}

/** Dims startDim..endDim merged into one, like torch.flatten. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.ndim);
  const e = normalizeDim(endDim, x.ndim);
  const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

/** Dims of size 1 removed (all, or only `dim`), like torch.squeeze. */
export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const d = normalizeDim(dim, x.ndim);
  return reshape(x, x.shape.filter((s, i) => i !== d || s !== 1));
}

/** A dim of size 1 inserted at `dim`, like torch.unsqueeze. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/** A view with the dims reordered, like torch.permute. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new RangeError(`permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${x.ndim} is not equal to len(dims) = ${dims.length}`);
  }
  const order = dims.map((d) => normalizeDim(d, x.ndim));
  if (new Set(order).size !== order.length) throw new RangeError('permute(): duplicate dims are not allowed.');
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => (inverse[d] = i));
  const out = viewOf(x, order.map((d) => x.shape[d]), order.map((d) => x.strides[d]));
  return record('Permute', [x], out, [], (g) => [permute(g, inverse)]);
}

/** A view with `dim0` and `dim1` swapped, like torch.transpose. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  // t() of a 0-d or 1-D tensor is the tensor itself (a new view of it), as in PyTorch.
  if (x.ndim < 2 && dim0 === 0 && dim1 === 1) return reshape(x, x.shape);
  const order = x.shape.map((_, i) => i);
  const a = normalizeDim(dim0, x.ndim);
  const b = normalizeDim(dim1, x.ndim);
  [order[a], order[b]] = [order[b], order[a]];
  return permute(x, order);
}

/** Elements start..start+length-1 along dim (a view), like torch.narrow. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d];
  if (start < 0) start += size;
  if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > size) {
    throw new RangeError(`start (${start}) + length (${length}) exceeds dimension size (${size}).`);
  }
  const shape = [...x.shape];
  shape[d] = length;
  const out = viewOf(x, shape, x.strides, x.offset + start * x.strides[d]);
  return record('Narrow', [x], out, [], (g) => [intoZeros(x.shape, g, (grad) => narrow(grad, d, start, length))]);
}

/**
 * Every step-th element from start up to end (exclusive) along dim, a view: x[start:end:step] on
 * one dim, like aten::slice. Bounds are clamped and negative ones count from the end, as in Python.
 */
export function slice(x: Tensor, dim = 0, start?: number, end?: number, step = 1): Tensor {
  if (x.ndim === 0) throw new RangeError('slice() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, x.ndim);
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`slice step must be positive, found ${step}`);
  const size = x.shape[d];
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const from = clamp(start ?? 0);
  const to = Math.max(from, clamp(end ?? size));
  const shape = [...x.shape];
  shape[d] = Math.ceil((to - from) / step);
  const strides = [...x.strides];
  strides[d] *= step;
  const out = viewOf(x, shape, strides, x.offset + from * x.strides[d]);
  return record('Slice', [x], out, [], (g) => [intoZeros(x.shape, g, (grad) => slice(grad, d, from, to, step))]);
}

/** The slice at `index` along dim, with that dim removed (a view), like torch.select / x[index]. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  if (x.ndim === 0) throw new RangeError('select() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d];
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new RangeError(`select(): index ${index} out of range for tensor of size [${x.shape.join(', ')}] at dimension ${d}`);
  }
  const i = index < 0 ? index + size : index;
  const out = viewOf(x, without(x.shape, d), without(x.strides, d), x.offset + i * x.strides[d]);
  return record('Select', [x], out, [], (g) => [intoZeros(x.shape, g, (grad) => select(grad, d, i))]);
}

/**
 * The diagonal of the (dim1, dim2) planes, offset above (> 0) or below (< 0) the main one, as a
 * last dim (a view), like torch.diagonal.
 */
export function diagonal(x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  const [d1, d2] = [normalizeDim(dim1, x.ndim), normalizeDim(dim2, x.ndim)];
  if (d1 === d2) throw new RangeError(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  const length = Math.max(0, Math.min(x.shape[d1] + Math.min(offset, 0), x.shape[d2] - Math.max(offset, 0)));
  const start = length === 0 ? 0 : offset >= 0 ? offset * x.strides[d2] : -offset * x.strides[d1];
  const kept = (list: readonly number[]) => list.filter((_, k) => k !== d1 && k !== d2);
  const out = viewOf(x, [...kept(x.shape), length], [...kept(x.strides), x.strides[d1] + x.strides[d2]], x.offset + start);
  return record('Diagonal', [x], out, [], (g) => [intoZeros(x.shape, g, (grad) => diagonal(grad, offset, d1, d2))]);
}

/**
 * Views of x along dim: pieces of `splitSize` elements (the last one smaller), or of the given
 * sizes, like torch.split.
 */
export function split(x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  if (x.ndim === 0) throw new RangeError('split expects at least a 1-dimensional tensor');
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d];
  let sizes: readonly number[];
  if (typeof splitSize === 'number') {
    if (!Number.isInteger(splitSize) || splitSize < 0 || (splitSize === 0 && size > 0)) {
      throw new RangeError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${size} (split_size ${splitSize})`);
    }
    const count = splitSize === 0 ? 1 : Math.max(1, Math.ceil(size / splitSize));
    sizes = Array.from({ length: count }, (_, i) => Math.min(splitSize, size - i * splitSize));
  } else {
    sizes = splitSize;
    if (sizes.reduce((a, b) => a + b, 0) !== size || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new RangeError(
        `split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=[${sizes.join(', ')}]`,
      );
    }
  }
  let start = 0;
  return sizes.map((length) => narrow(x, d, (start += length) - length, length));
}

/** x split along dim into `chunks` views of equal size (the last one smaller, and fewer when they run out), like torch.chunk. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (x.ndim === 0) throw new RangeError('chunk expects at least a 1-dimensional tensor');
  if (!Number.isInteger(chunks) || chunks <= 0) throw new RangeError(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  return split(x, Math.ceil(x.shape[normalizeDim(dim, x.ndim)] / chunks), dim);
}

/** The gradient of a view of x: zeros of x's shape with g copied into the same view of them. */
function intoZeros(shape: readonly number[], g: Tensor, sameView: (grad: Tensor) => Tensor): Tensor {
  const grad = zeros(shape, { dtype: g.dtype, device: g.device });
  const part = sameView(grad);
  copyInto(part, g);
  part.dispose();
  return grad;
}

function without(list: readonly number[], d: number): number[] {
  return list.filter((_, k) => k !== d);
}

/** A view of x broadcast to `shape` (stride 0 along broadcast dims), like torch.expand. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - x.ndim;
  if (lead < 0) {
    throw new RangeError(`expand: the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions in the tensor (${x.ndim})`);
  }
  const sizes = shape.map((size, i) => (size === -1 && i >= lead ? x.shape[i - lead] : size));
  checkShape(sizes);
  const strides = sizes.map((size, i) => {
    const own = x.shape[i - lead];
    if (i < lead) return 0;
    if (own === size) return x.strides[i - lead];
    if (own === 1) return 0;
    throw new RangeError(
      `The expanded size of the tensor (${size}) must match the existing size (${own}) at non-singleton dimension ${i}.  Target sizes: [${shape.join(', ')}].  Tensor sizes: [${x.shape.join(', ')}]`,
    );
  });
  const from = x.shape;
  return record('Expand', [x], viewOf(x, sizes, strides), [], (g) => [sumToShape(g, from)]);
}

/** `x` if contiguous, else a contiguous copy, like torch's contiguous(). */
export function contiguous(x: Tensor): Tensor {
  return x.isContiguous() ? x : clone(x);
}

/** A copy with its own storage (recorded for autograd), like torch.clone. */
export function clone(x: Tensor): Tensor {
  return record('Clone', [x], copyAs(x), [], (g) => [g]);
}

/** Moves to a device or converts the dtype. webgpu -> cpu is asynchronous: use `await t.cpu()`. */
export function to(x: Tensor, target: DeviceLike | DType): Tensor {
  if (typeof target === 'string' && (DTYPES as readonly string[]).includes(target)) {
    const dtype = target as DType;
    if (dtype === x.dtype) return x;
    if (x.dtype === 'uint8' && x.device.type === 'webgpu') return normalizeBytes(contiguous(x), { scale: 1, dtype });
    // Between float types the conversion is differentiable; to an integer type it ends the graph.
    if (!isFloating(dtype)) return copyAs(x, dtype);
    return record('ToCopy', [x], copyAs(x, dtype), [], (g) => [copyAs(g, x.dtype)]);
  }
  const device = resolveDevice(target as DeviceLike);
  if (device === x.device) return x;
  if (x.device.type !== 'cpu') {
    throw new Error('reading a webgpu tensor is asynchronous: use `await t.cpu()` (or `await t.toArray()`) instead of t.to("cpu")');
  }
  const dense = contiguous(x);
  const host = dense.storage.array.slice(dense.offset, dense.offset + dense.numel());
  if (dense !== x) dense.dispose();
  return upload(host, x.shape, x.dtype, device);
}

/** A copy on the cpu device (waits for the GPU). */
export async function toCpu(x: Tensor): Promise<Tensor> {
  if (x.device.type === 'cpu') return x;
  return upload(await readArray(x), x.shape, x.dtype, resolveDevice('cpu'));
}
