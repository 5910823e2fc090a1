import { record } from '../autograd-hooks.ts';
import { noGrad } from '../autograd/grad-mode.ts';
import { empty } from '../alloc.ts';
import { promoteTypes } from '../dtype.ts';
import { normalizeDim } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { checkSameDevice } from './checks.ts';
import { copyAs, copyInto } from './elementwise.ts';
import { clone, expand, narrow, reshape, unsqueeze, view, viewOf } from './views.ts';

/**
 * The tensors joined along an existing dim, like torch.cat: one copy per tensor into its slice of
 * the result, in the promoted dtype. 1-D empty tensors are skipped, as in PyTorch.
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('torch.cat(): expected a non-empty list of Tensors');
  checkSameDevice(tensors);
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  const like = parts[0] ?? tensors[0];
  if (like.ndim === 0) throw new RangeError('zero-dimensional tensor (at position 0) cannot be concatenated');
  const d = normalizeDim(dim, like.ndim);
  parts.forEach((t) => {
    if (t.ndim !== like.ndim) {
      throw new RangeError(`Tensors must have same number of dimensions: got ${like.ndim} and ${t.ndim}`);
    }
    const k = t.shape.findIndex((s, j) => j !== d && s !== like.shape[j]);
    if (k !== -1) {
      throw new RangeError(`Sizes of tensors must match except in dimension ${d}. Expected size ${like.shape[k]} but got size ${t.shape[k]} for tensor number ${tensors.indexOf(t)} in the list.`);
    }
  });
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  const shape = [...like.shape];
  shape[d] = parts.reduce((n, t) => n + t.shape[d], 0);
  const out = empty(shape, dtype, like.device);
  const starts: number[] = [];
  let start = 0;
  for (const t of parts) {
    starts.push(start);
    const slot = viewOf(out, t.shape, out.strides, start * out.strides[d]);
    // A step of cat's own forward (recorded as Cat below), not an in-place op for autograd.
    noGrad(() => copyInto(slot, t));
    slot.dispose();
    start += t.shape[d];
  }
  return record('Cat', parts, out, [], (g) =>
    parts.map((t, i) => {
      if (!t.requiresGrad) return null;
      const part = narrow(g, d, starts[i], t.shape[d]);
      return part.dtype === t.dtype ? part : copyAs(part, t.dtype);
    }),
  );
}

/** The tensors (all of one shape) joined along a new dim, like torch.stack. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('stack expects a non-empty TensorList');
  const first = tensors[0];
  tensors.forEach((t, i) => {
    if (t.shape.length !== first.ndim || t.shape.some((s, k) => s !== first.shape[k])) {
      throw new RangeError(`stack expects each tensor to be equal size, but got [${first.shape.join(', ')}] at entry 0 and [${t.shape.join(', ')}] at entry ${i}`);
    }
  });
  const d = normalizeDim(dim, first.ndim + 1);
  const expanded = tensors.map((t) => unsqueeze(t, d));
  const out = cat(expanded, d);
  for (const t of expanded) t.dispose();
  return out;
}

/** x tiled `repeats[i]` times along dim i (leading repeats add dims), a copy, like torch.Tensor.repeat. */
export function repeat(x: Tensor, repeats: readonly number[]): Tensor {
  if (repeats.length < x.ndim) {
    throw new RangeError('Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
  }
  const shape = [...new Array<number>(repeats.length - x.ndim).fill(1), ...x.shape];
  // [s0, s1] as [1, s0, 1, s1], expanded to [r0, s0, r1, s1] (a view), copied, then merged.
  const spaced = reshape(x, shape.flatMap((s) => [1, s]));
  const tiled = expand(spaced, shape.flatMap((s, i) => [repeats[i], s]));
  const dense = clone(tiled);
  const out = view(dense, shape.map((s, i) => s * repeats[i]));
  for (const t of [spaced, tiled, dense]) t.dispose();
  return out;
}

/** A copy of x reversed along each of dims, like torch.flip. */
export function flip(x: Tensor, dims: readonly number[]): Tensor {
  const ds = dims.map((dim) => normalizeDim(dim, x.ndim));
  const repeated = ds.find((d, i) => ds.indexOf(d) !== i);
  if (repeated !== undefined) throw new RangeError(`dim ${repeated} appears multiple times in the list of dims`);
  // The copy reads x through negative strides: sums of u32 products wrap back to the exact index
  // on webgpu, and such a view never leaves this function.
  const strides = [...x.strides];
  let offset = x.offset;
  for (const d of ds) {
    if (x.ndim === 0 || x.shape[d] <= 1) continue;
    offset += (x.shape[d] - 1) * strides[d];
    strides[d] = -strides[d];
  }
  const reversed = viewOf(x, x.shape, strides, offset);
  const out = copyAs(reversed);
  reversed.dispose();
  return record('Flip', [x], out, [], (g) => [flip(g, ds)]);
}
