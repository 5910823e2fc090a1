import type { WebGPURuntime } from './device/webgpu.ts';
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

/**
 * Why `actual` is not within atol + rtol·|expected| of `expected` elementwise (the worst element,
 * named), or null when it is. NaN matches NaN, and equal infinities match.
 */
export function closeMismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6): string | null {
  if (actual.length !== expected.length) return `${actual.length} values against ${expected.length} expected`;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if ((Number.isNaN(e) && Number.isNaN(a)) || a === e) continue;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  return worst < 0 ? null : `element ${worst}: ${actual[worst]} vs expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`;
}

/**
 * Runs fn and returns the labels of the dispatches it submitted (work recorded before is submitted
 * first, fn's work right after it), in order, after the peephole at submit fused what it could.
 */
export async function dispatchLabels(runtime: WebGPURuntime, fn: () => unknown): Promise<string[]> {
  runtime.flush();
  const labels: string[] = [];
  runtime.labelTap = labels;
  try {
    await fn();
    runtime.flush();
  } finally {
    runtime.labelTap = null;
  }
  return labels;
}
