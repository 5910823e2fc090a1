import { record } from '../autograd-hooks.ts';
import type { Tensor } from '../tensor.ts';
import { checkDType, checkSameDevice, FLOATS } from './checks.ts';
import { eq, where } from './elementwise.ts';
import { indexSelect } from './index-select.ts';
import { reshape, unsqueeze } from './views.ts';

/**
 * The rows of weight [num, dim] picked by an int32 index of any shape, output [...index, dim],
 * like F.embedding. The weight gradient sums over repeated indices (indexSelect's backward); rows
 * of paddingIdx (negative counts from the end) get none, as in PyTorch.
 */
export function embedding(input: Tensor, weight: Tensor, paddingIdx: number | null = null): Tensor {
  checkSameDevice([input, weight]);
  checkDType('embedding', input, ['int32'], 'indices');
  checkDType('embedding', weight, FLOATS, 'weight');
  if (weight.ndim !== 2) throw new RangeError(`'weight' must be 2-D, found size [${weight.shape.join(', ')}]`);
  const [num, dim] = weight.shape;
  let padding: number | null = null;
  if (paddingIdx !== null) {
    if (!Number.isInteger(paddingIdx) || paddingIdx >= num || paddingIdx < -num) throw new RangeError('Padding_idx must be within num_embeddings');
    padding = paddingIdx < 0 ? paddingIdx + num : paddingIdx;
  }
  const flat = reshape(input, [input.numel()]);
  const rows = indexSelect(weight, 0, flat);
  const gathered = padding === null ? rows : blockPaddingGradient(rows, flat, padding);
  return reshape(gathered, [...input.shape, dim]);
}

/** rows itself, with a backward that zeroes the gradient of the rows picked by `padding` before it reaches the weight. */
function blockPaddingGradient(rows: Tensor, index: Tensor, padding: number): Tensor {
  const out = rows.detach();
  return record('EmbeddingPadding', [rows], out, [index], (g, [ix]) => {
    const isPadding = unsqueeze(eq(ix, padding), 1);
    return [where(isPadding, 0, g)];
  });
}
