import type { Tensor } from '../tensor.ts';
import { stridedIndices } from './strided.ts';

/** PyTorch's error when operands live on different devices. */
export function checkSameDevice(tensors: readonly Tensor[]): void {
  const first = tensors[0].device;
  for (const t of tensors) {
    if (t.device !== first) {
      throw new Error(`Expected all tensors to be on the same device, but found at least two devices, ${first} and ${t.device}!`);
    }
  }
}

export const FLOATS = ['float32', 'float64'] as const;

export function checkDType(op: string, t: Tensor, allowed: readonly string[], what = 'input'): void {
  if (!allowed.includes(t.dtype)) {
    throw new TypeError(`${op}: expected ${what} of dtype ${allowed.join(' or ')}, found ${t.dtype}`);
  }
}

/**
 * The first element of a cpu index tensor outside [0, size) other than `ignore`, or undefined:
 * the cpu device raises at once (webgpu at the next readback), before anything is allocated.
 */
export function firstOutOfRange(index: Tensor, size: number, ignore?: number): number | undefined {
  const values = index.storage.array;
  for (const i of stridedIndices(index.shape, index.strides, index.offset)) {
    const v = values[i];
    if (v !== ignore && (v < 0 || v >= size)) return v;
  }
  return undefined;
}
