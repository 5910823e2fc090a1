import { numel, type Shape } from '../shape.ts';

/**
 * The storage index of each element of a strided view, in row-major order: the CPU reference's
 * way of reading views and broadcast operands.
 */
export function stridedIndices(shape: Shape, strides: readonly number[], offset: number): Int32Array {
  const n = numel(shape);
  const out = new Int32Array(n);
  const ndim = shape.length;
  if (ndim === 0) {
    if (n) out[0] = offset;
    return out;
  }
  const counter = new Array<number>(ndim).fill(0);
  let index = offset;
  for (let i = 0; i < n; i++) {
    out[i] = index;
    for (let d = ndim - 1; d >= 0; d--) {
      index += strides[d];
      if (++counter[d] < shape[d]) break;
      index -= strides[d] * shape[d];
      counter[d] = 0;
    }
  }
  return out;
}
