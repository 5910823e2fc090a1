import { fromArray } from '../creation.ts';
import { broadcastShapes } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { checkSameDevice } from './checks.ts';
import { where } from './elementwise.ts';
import { indexSelect } from './index-select.ts';
import { expand, reshape, to } from './views.ts';

/** The bool [rows, cols] mask of keep(col - row), uploaded: no kernel builds it. */
function triangle(x: Tensor, keep: (offset: number) => boolean, op: string): Tensor {
  if (x.ndim < 2) throw new RangeError(`${op}: input tensor must have at least 2 dimensions`);
  const [rows, cols] = x.shape.slice(-2);
  const mask = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mask[r * cols + c] = Number(keep(c - r));
  return fromArray(mask, [rows, cols], { dtype: 'bool', device: x.device });
}

/** x with the elements above the `diagonal`-th diagonal zeroed (batched over leading dims), like torch.tril. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return maskedZero(x, triangle(x, (offset) => offset <= diagonal, 'tril'));
}

/** x with the elements below the `diagonal`-th diagonal zeroed (batched over leading dims), like torch.triu. */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return maskedZero(x, triangle(x, (offset) => offset >= diagonal, 'triu'));
}

function maskedZero(x: Tensor, keep: Tensor): Tensor {
  const out = where(keep, x, zeroOf(x));
  keep.dispose();
  return out;
}

function zeroOf(x: Tensor): Tensor {
  return fromArray([0], [], { dtype: x.dtype, device: x.device });
}

function checkMask(x: Tensor, mask: Tensor, message: string): void {
  checkSameDevice([x, mask]);
  if (mask.dtype !== 'bool') throw new TypeError(message);
}

/** x with `value` (a number, a boolean or a 0-d tensor) where mask is true, broadcast together, like torch.masked_fill. */
export function maskedFill(x: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  checkMask(x, mask, `masked_fill_ only supports boolean masks, but got mask with dtype ${mask.dtype}`);
  if (typeof value === 'object' && value.ndim !== 0) {
    throw new RangeError(`masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s).`);
  }
  const fill = typeof value === 'object' ? to(value, x.dtype) : fromArray([Number(value)], [], { dtype: x.dtype, device: x.device });
  return where(mask, fill, x);
}

/**
 * The elements of x where mask is true (broadcast together), as a 1-D tensor, like
 * torch.masked_select / x[mask]. Asynchronous: the result's size depends on the mask's values,
 * which are read back first (PyTorch synchronizes with the GPU here too).
 */
export async function maskedSelect(x: Tensor, mask: Tensor): Promise<Tensor> {
  checkMask(x, mask, `masked_select: expected BoolTensor for mask, found ${mask.dtype}`);
  const shape = broadcastShapes(x.shape, mask.shape);
  const spread = expand(mask, shape);
  const flags = await spread.toArray();
  spread.dispose();
  const picked = Int32Array.from(flags.keys()).filter((i) => flags[i] !== 0);
  const index = fromArray(picked, [picked.length], { dtype: 'int32', device: x.device });
  const out = indexSelect(reshape(expand(x, shape), [-1]), 0, index);
  index.dispose();
  return out;
}
