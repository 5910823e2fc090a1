export { ELEMENTWISE_OPS, apply as applyElementwise, type ElementwiseOp } from './ops/elementwise-op.ts';

/**
 * max_i |actual_i − expected_i| / max_i |expected_i|: the relative error of a whole tensor against
 * reference values (the ∞-norm of the difference over the ∞-norm of the reference), as the tests
 * against PyTorch's fixtures state it. NaN anywhere gives NaN, which fails every `≤` check.
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) {
    throw new RangeError(`relativeError: ${actual.length} values against ${expected.length} expected`);
  }
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  if (Number.isNaN(diff)) return NaN;
  return scale === 0 ? diff : diff / scale;
}
