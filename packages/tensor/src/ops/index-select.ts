import { record } from '../autograd-hooks.ts';
import { empty } from '../alloc.ts';
import { normalizeDim } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { checkDType, checkSameDevice, firstOutOfRange } from './checks.ts';
import { grid, launch, wgslType } from './gpu.ts';
import { contiguous } from './views.ts';
import { indexOutOfRange } from '../device/device-checks.ts';

/** [outer, size, inner] split of x around dim. */
function split(x: Tensor, d: number) {
  return {
    outer: x.shape.slice(0, d).reduce((a, b) => a * b, 1),
    size: x.shape[d] ?? 1, // a 0-d tensor reads as one element along dim 0
    inner: x.shape.slice(d + 1).reduce((a, b) => a * b, 1),
  };
}

/** gather (entry main) or index_add (entry add_backward) over contiguous src. */
function run(entry: 'main' | 'add_backward', src: Tensor, index: Tensor, outShape: number[], outer: number, size: number, inner: number): Tensor {
  const count = index.numel();
  const out = empty(outShape, src.dtype, src.device);
  const idx = contiguous(index);
  if (src.device.type === 'cpu') {
    const s = src.storage.array;
    const o = out.storage.array;
    const ix = idx.storage.array;
    if (entry === 'add_backward') o.fill(0);
    for (let a = 0; a < outer; a++) {
      for (let i = 0; i < count; i++) {
        const r = ix[idx.offset + i];
        for (let j = 0; j < inner; j++) {
          if (entry === 'main') o[(a * count + i) * inner + j] = s[src.offset + (a * size + r) * inner + j];
          else o[(a * size + r) * inner + j] += s[src.offset + (a * count + i) * inner + j];
        }
      }
    }
  } else {
    const params = { outer, size, inner, count, off_x: src.offset, off_index: idx.offset };
    const n = out.numel();
    if (n > 0) launch(entry === 'main' ? 'indexSelect' : 'indexSelect.backward', { family: 'index', entry, template: { T: wgslType(src.dtype) } }, [src, idx, out], params, grid(n));
  }
  if (idx !== index) idx.dispose();
  return out;
}

/** The slices of x along dim picked by an int32 index, like torch.index_select. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkSameDevice([x, index]);
  checkDType('indexSelect', index, ['int32'], 'index');
  if (index.ndim > 1) throw new RangeError(`index_select(): Index is supposed to be a vector, found ${index.ndim}-D`);
  const d = normalizeDim(dim, x.ndim);
  const { outer, size, inner } = split(x, d);
  const bad = x.device.type === 'cpu' ? firstOutOfRange(index, size) : undefined;
  if (bad !== undefined) throw new RangeError(indexOutOfRange(bad, size));
  if (x.ndim === 0 && index.numel() !== 1) {
    throw new RangeError(`index_select(): Index to scalar can have only 1 value, got ${index.numel()} value(s)`);
  }
  const src = contiguous(x);
  const shape = [...x.shape];
  if (x.ndim > 0) shape[d] = index.numel();
  const out = run('main', src, index, shape, outer, size, inner);
  if (src !== x) src.dispose();
  return record('IndexSelect', [x], out, [index], (g, [ix]) => {
    const gc = contiguous(g);
    const grad = run('add_backward', gc, ix, [...x.shape], outer, size, inner);
    if (gc !== g) gc.dispose();
    return [grad];
  });
}

