/**
 * Checks that only the GPU can make (a target or index read inside a kernel) write a code and the
 * offending value into a small buffer; every readback reads it and raises the error here, the
 * way a CUDA device-side assert surfaces at the next synchronization.
 */
export const DEVICE_CHECK_BYTES = 16;

/** Codes shared with kernels/*.wgsl (see `checks[0]` there). */
export const CHECK_NLL_TARGET = 1;
export const CHECK_INDEX = 2;
export const CHECK_GATHER = 3;

/** The errors both devices raise, the cpu at once and webgpu at the next readback. */
export function targetOutOfBounds(target: number, classes: number): string {
  return `nllLoss: Target ${target} is out of bounds (expected a class index in [0, ${classes})).`;
}

export function indexOutOfRange(index: number, size: number): string {
  return `indexSelect: index ${index} is out of range for dimension of size ${size}.`;
}

/** gather/scatter's error for an index outside [0, size) along dim, in PyTorch's words. */
export function indexOutOfBounds(index: number, dim: number, size: number): string {
  return `index ${index} is out of bounds for dimension ${dim} with size ${size}`;
}

export function deviceCheckMessage(words: Int32Array): string | null {
  const [code, value, bound, dim] = words;
  switch (code) {
    case 0:
      return null;
    case CHECK_NLL_TARGET:
      return targetOutOfBounds(value, bound);
    case CHECK_INDEX:
      return indexOutOfRange(value, bound);
    case CHECK_GATHER:
      return indexOutOfBounds(value, dim, bound);
    default:
      return `device check failed with unknown code ${code} (value ${value})`;
  }
}
