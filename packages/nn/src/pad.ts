import { copyInto, fromArray, full, indexSelect, zeros, type Tensor } from '@mini/tensor';
import { record } from '@mini/tensor/internal';
import { noGrad } from '@mini/autograd';

/** F.pad's modes: 'constant' for any dims; 'reflect' and 'replicate' for the last one or two. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/**
 * For each padded dim, from the last backwards as PyTorch lists them: the dim, the padding before
 * and after (negative crops), and the input's size along it.
 */
function padsByDim(input: Tensor, pad: readonly number[]): { dim: number; before: number; after: number }[] {
  if (pad.length % 2 !== 0) throw new Error('Padding length must be divisible by 2');
  if (pad.length / 2 > input.ndim) throw new Error('Padding length too large');
  if (!pad.every(Number.isInteger)) throw new TypeError(`pad: expected integers, found [${pad.join(', ')}]`);
  return Array.from({ length: pad.length / 2 }, (_, k) => ({ dim: input.ndim - 1 - k, before: pad[2 * k], after: pad[2 * k + 1] }));
}

/** The part of `t` along each padded dim that input and output share (after cropping). */
function sharedRegion(t: Tensor, pads: ReturnType<typeof padsByDim>, side: 'input' | 'output', sizes: readonly number[]): Tensor {
  let view = t;
  for (const { dim, before, after } of pads) {
    const length = sizes[dim] - Math.max(0, -before) - Math.max(0, -after);
    const start = side === 'input' ? Math.max(0, -before) : Math.max(0, before);
    view = view.narrow(dim, start, length);
  }
  return view;
}

function constantPad(input: Tensor, pads: ReturnType<typeof padsByDim>, value: number): Tensor {
  const shape = [...input.shape];
  for (const { dim, before, after } of pads) {
    shape[dim] += before + after;
    if (shape[dim] < 0) {
      throw new Error(`The input size ${input.shape[dim]}, plus negative padding ${before} and ${after} resulted in a negative output size, which is invalid. Check dimension ${dim} of your input.`);
    }
  }
  const out = noGrad(() => {
    const o = full(shape, value, { dtype: input.dtype, device: input.device });
    copyInto(sharedRegion(o, pads, 'output', input.shape), sharedRegion(input, pads, 'input', input.shape));
    return o;
  });
  return record('ConstantPadNd', [input], out, [], (g) => {
    const grad = zeros(input.shape, { dtype: g.dtype, device: g.device });
    copyInto(sharedRegion(grad, pads, 'input', input.shape), sharedRegion(g, pads, 'output', input.shape));
    return [grad];
  });
}

/** The source index of each output position along a dim padded by reflection or replication. */
function sourceIndices(size: number, before: number, after: number, mode: 'reflect' | 'replicate'): number[] {
  return Array.from({ length: size + before + after }, (_, o) => {
    const i = o - before;
    if (mode === 'replicate') return Math.min(Math.max(i, 0), size - 1);
    return i < 0 ? -i : i >= size ? 2 * (size - 1) - i : i;
  });
}

/**
 * Pads input, like F.pad: `pad` gives (before, after) pairs from the last dim backwards.
 * 'constant' fills with value (default 0) and crops with negative padding, on any dims;
 * 'reflect' mirrors without repeating the edge, 'replicate' repeats it, on the last one or two
 * dims of a batched input (2-D/3-D input for one dim, 3-D/4-D for two), as PyTorch allows.
 * 'circular' and three reflected/replicated dims are not supported.
 */
export function pad(input: Tensor, pad: readonly number[], mode: PadMode = 'constant', value: number | null = null): Tensor {
  const pads = padsByDim(input, pad);
  if (mode === 'constant') return constantPad(input, pads, value ?? 0);
  if (value !== null && value !== 0) throw new Error(`Padding mode "${mode}" doesn't take in value argument.`);
  if (mode !== 'reflect' && mode !== 'replicate') {
    throw new Error(`pad: mode '${mode}' is not supported by mini (it has 'constant', 'reflect' and 'replicate')`);
  }
  const dims = pads.length;
  if (dims > 2 || !(input.ndim === dims + 1 || input.ndim === dims + 2)) {
    throw new Error(
      `pad: ${mode} padding of ${dims} dim(s) needs a ${dims + 1}-D or ${dims + 2}-D input (mini pads the last one or two dims), found ${input.ndim}-D input [${input.shape.join(', ')}]`,
    );
  }
  let out = input;
  for (const { dim, before, after } of pads) {
    const size = input.shape[dim];
    if (mode === 'reflect' && (before >= size || after >= size)) {
      throw new Error(`Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (${before}, ${after}) at dimension ${dim} of input [${input.shape.join(', ')}]`);
    }
    if (before < 0 || after < 0) throw new Error(`pad: ${mode} padding must not be negative, found (${before}, ${after}) at dimension ${dim}`);
    const index = fromArray(sourceIndices(size, before, after, mode), [size + before + after], { dtype: 'int32', device: input.device });
    const next = indexSelect(out, dim, index);
    index.dispose();
    if (out !== input) out.dispose();
    out = next;
  }
  return out;
}
