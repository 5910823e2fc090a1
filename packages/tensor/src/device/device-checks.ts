/**
 * Checks that only the GPU can make (a target or index read inside a kernel) write a code and the
 * offending value into a small buffer; every readback reads it and raises the error here, the
 * way a CUDA device-side assert surfaces at the next synchronization.
 */
export const DEVICE_CHECK_BYTES = 16;

/** Codes shared with kernels/*.wgsl (see `checks[0]` there). */
export const CHECK_NLL_TARGET = 1;
export const CHECK_INDEX = 2;

export function deviceCheckMessage(words: Int32Array): string | null {
  const [code, value, bound] = words;
  switch (code) {
    case 0:
      return null;
    case CHECK_NLL_TARGET:
      return `nllLoss: Target ${value} is out of bounds (expected a class index in [0, ${bound})).`;
    case CHECK_INDEX:
      return `indexSelect: index ${value} is out of range for dimension of size ${bound}.`;
    default:
      return `device check failed with unknown code ${code} (value ${value})`;
  }
}
