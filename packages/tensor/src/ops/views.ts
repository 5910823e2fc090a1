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

/** A view of x's storage with another shape/strides/offset (not recorded). */
export function viewOf(x: Tensor, shape: readonly number[], strides: readonly number[], offset = x.offset): Tensor {
  return new Tensor(x.storage.retain(), [...shape], x.dtype, [...strides], offset);
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

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.ndim);
  const e = normalizeDim(endDim, x.ndim);
  const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const d = normalizeDim(dim, x.ndim);
  return reshape(x, x.shape.filter((s, i) => i !== d || s !== 1));
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

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
  const from = x.shape;
  return record('Narrow', [x], out, [], (g) => {
    const grad = zeros(from, { dtype: g.dtype, device: g.device });
    copyInto(narrow(grad, d, start, length), g);
    return [grad];
  });
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

export function contiguous(x: Tensor): Tensor {
  return x.isContiguous() ? x : clone(x);
}

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
