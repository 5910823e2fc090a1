import { record } from '../autograd-hooks.ts';
import { empty } from '../alloc.ts';
import { CHECK_INDEX, indexOutOfRange } from '../device/device-checks.ts';
import { normalizeDim } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { checkDType, checkSameDevice, firstOutOfRange } from './checks.ts';
import { runIndexed, scatterAddInto } from './gather-scatter.ts';
import { reshape, viewOf } from './views.ts';

/**
 * The slices of x along dim picked by an int32 index, like torch.index_select: a gather whose
 * index is the 1-D index viewed (stride 0) across the other dims, so that its backward is the
 * gather's, an atomic scatter-add linear in the output's size.
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkSameDevice([x, index]);
  checkDType('indexSelect', index, ['int32'], 'index');
  if (index.ndim > 1) throw new RangeError(`index_select(): Index is supposed to be a vector, found ${index.ndim}-D`);
  if (x.ndim === 0) {
    if (index.numel() !== 1) throw new RangeError(`index_select(): Index to scalar can have only 1 value, got ${index.numel()} value(s)`);
    return reshape(indexSelect(reshape(x, [1]), 0, reshape(index, [1])), []);
  }
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d];
  const bad = x.device.type === 'cpu' ? firstOutOfRange(index, size) : undefined;
  if (bad !== undefined) throw new RangeError(indexOutOfRange(bad, size));
  const shape = x.shape.map((s, k) => (k === d ? index.numel() : s));
  const spread = viewOf(index, shape, shape.map((_, k) => (k === d ? (index.strides[0] ?? 0) : 0)));
  const out = runIndexed('gather', x, d, spread, empty(shape, x.dtype, x.device), CHECK_INDEX);
  const result = record('IndexSelect', [x], out, [spread], (g, [ix]) => [scatterAddInto(x.shape, d, ix, g)]);
  spread.dispose();
  return result;
}
