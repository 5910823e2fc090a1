import { record } from '../autograd-hooks.ts';
import { empty } from '../alloc.ts';
import { fromArray, zeros } from '../creation.ts';
import { CHECK_GATHER, indexOutOfBounds } from '../device/device-checks.ts';
import { normalizeDim } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { checkOptions } from '../options.ts';
import { checkDType, checkSameDevice, firstOutOfRange } from './checks.ts';
import { grid, launch, wgslType } from './gpu.ts';
import { copyAs } from './elementwise.ts';
import { expand } from './views.ts';

/** The dims the kernel's shape and stride arrays hold. */
const MAX_DIMS = 8;

/** The entries of kernels/index.wgsl, and kernels/scatter-add.wgsl. */
export type IndexedEntry = 'gather' | 'scatter' | 'scatter_add';

/**
 * One gather or scatter over the elements of `index` (kernels/index.wgsl and scatter-add.wgsl), not
 * recorded: `out` is written (a new contiguous tensor of index's shape for gather, the tensor
 * scattered into otherwise) and returned. `size` is the valid range of the index values; an index
 * out of range raises on cpu at once, on webgpu device check `check` at the next readback.
 */
export function runIndexed(entry: IndexedEntry, src: Tensor, dim: number, index: Tensor, out: Tensor, check = CHECK_GATHER): Tensor {
  const size = (entry === 'gather' ? src : out).shape[dim];
  if (src.device.type === 'cpu') {
    const bad = firstOutOfRange(index, size);
    if (bad !== undefined) throw new RangeError(indexOutOfBounds(bad, dim, size));
    cpuIndexed(entry, src, dim, index, out);
    return out;
  }
  if (index.ndim > MAX_DIMS) throw new Error(`tensors of more than ${MAX_DIMS} dims are not supported on webgpu (found ${index.ndim})`);
  const n = index.numel();
  const params = {
    numel: n, ndim: index.ndim, dim, size,
    off_src: src.offset, off_index: index.offset, off_out: out.offset, check,
    shape: index.shape, str_src: src.strides, str_index: index.strides, str_out: out.strides,
  };
  // scatter_add has a module of its own: its atomic output would slow the others' compilation.
  const spec = entry === 'scatter_add' ? { family: 'scatter-add' } : { family: 'index', entry };
  if (n > 0) launch(entry, { ...spec, template: { T: wgslType(src.dtype) } }, [src, index, out], params, grid(n));
  return out;
}

/** The CPU reference of kernels/index.wgsl, element by element of index. */
function cpuIndexed(entry: IndexedEntry, src: Tensor, dim: number, index: Tensor, out: Tensor): void {
  const [S, I, O] = [src.storage.array, index.storage.array, out.storage.array];
  const scatter = entry !== 'gather';
  const { shape } = index;
  for (let e = 0; e < index.numel(); e++) {
    let [rem, s, o, i] = [e, src.offset, out.offset, index.offset];
    for (let d = shape.length - 1; d >= 0; d--) {
      const c = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
      i += c * index.strides[d];
      if (d !== dim || scatter) s += c * src.strides[d];
      if (d !== dim || !scatter) o += c * out.strides[d];
    }
    const r = I[i];
    if (scatter) o += r * out.strides[dim];
    else s += r * src.strides[dim];
    O[o] = entry === 'scatter_add' ? O[o] + S[s] : S[s];
  }
}

/** PyTorch's checks of gather/scatter operands; returns the normalized dim. */
function checkIndexed(op: string, self: Tensor, dim: number, index: Tensor, src?: Tensor): number {
  checkSameDevice(src ? [self, index, src] : [self, index]);
  checkDType(op, index, ['int32'], 'index');
  if (self.ndim === 0) throw new RangeError(`${op}(): 0-d tensors are not supported; reshape to [1] first`);
  const d = normalizeDim(dim, self.ndim);
  if (index.ndim !== self.ndim) throw new RangeError('Index tensor must have the same number of dimensions as input tensor');
  if (src && src.ndim !== self.ndim) throw new RangeError('Index tensor must have the same number of dimensions as src tensor');
  if (src && src.dtype !== self.dtype) throw new TypeError(`${op}(): Expected self.dtype to be equal to src.dtype`);
  for (let k = 0; k < self.ndim; k++) {
    const overSelf = k !== d && index.shape[k] > self.shape[k];
    if (overSelf || (src && index.shape[k] > src.shape[k])) {
      throw new RangeError(
        src
          ? `Expected index [${index.shape.join(', ')}] to be smaller than self [${self.shape.join(', ')}] apart from dimension ${d} and to be smaller size than src [${src.shape.join(', ')}]`
          : `Size does not match at dimension ${k} expected index [${index.shape.join(', ')}] to be smaller than self [${self.shape.join(', ')}] apart from dimension ${d}`,
      );
    }
  }
  return d;
}

/** out = zeros(shape) with src added at index along dim: the backward of gather-like ops, linear in src's size. */
export function scatterAddInto(shape: readonly number[], dim: number, index: Tensor, src: Tensor): Tensor {
  return runIndexed('scatter_add', src, dim, index, zeros(shape, { dtype: src.dtype, device: src.device }));
}

/** out[c] = input[c with c[dim] = index[c]], like torch.gather; int32 index of input's rank. */
export function gather(input: Tensor, dim: number, index: Tensor): Tensor {
  const d = checkIndexed('gather', input, dim, index);
  const out = runIndexed('gather', input, d, index, empty(index.shape, input.dtype, input.device));
  return record('Gather', [input], out, [index], (g, [ix]) => [scatterAddInto(input.shape, d, ix, g)]);
}

/** Options of {@link scatter}: `reduce: 'add'` adds instead of writing (PyTorch's other reduction, 'multiply', is not supported). */
export interface ScatterOptions {
  /** Accumulate into the destination ('add') rather than overwrite it: overwrite by default. */
  reduce?: 'add';
}

/**
 * A copy of input with src (a tensor, or a number for every element) written at
 * c with c[dim] = index[c], like torch.scatter. Among repeated indices one write wins, as on CUDA.
 */
export function scatter(input: Tensor, dim: number, index: Tensor, src: Tensor | number, options: ScatterOptions = {}): Tensor {
  checkOptions('scatter', options, ['reduce']);
  if (options.reduce !== undefined && options.reduce !== 'add') {
    throw new RangeError(`scatter(): reduce '${options.reduce}' is not supported (mini supports reduce 'add')`);
  }
  const value = typeof src === 'number' ? expand(fromArray([src], [], { dtype: input.dtype, device: input.device }), index.shape) : src;
  const d = checkIndexed('scatter', input, dim, index, value);
  const add = options.reduce === 'add';
  if (add && input.dtype === 'bool') throw new TypeError(`"scatter_add" not implemented for 'Bool'`);
  const out = runIndexed(add ? 'scatter_add' : 'scatter', value, d, index, copyAs(input));
  const inputs = typeof src === 'number' ? [input] : [input, src];
  return record(add ? 'ScatterAdd' : 'Scatter', inputs, out, [index], (g, [ix]) => {
    const gradInput = input.requiresGrad ? (add ? g : scatter(g, d, ix, 0)) : null;
    return typeof src === 'number' ? [gradInput] : [gradInput, src.requiresGrad ? gather(g, d, ix) : null];
  });
}

/** A copy of input with src added at c with c[dim] = index[c] (repeats add up), like torch.scatter_add. */
export function scatterAdd(input: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return scatter(input, dim, index, src, { reduce: 'add' });
}
