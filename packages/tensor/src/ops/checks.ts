import type { Tensor } from '../tensor.ts';

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
