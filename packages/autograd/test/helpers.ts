import { expect } from 'vitest';
import { Generator, fromArray, type Tensor } from '@mini/tensor';
import { testing } from '@mini/tensor/internal';
import { gradcheck, type GradcheckOptions } from '@mini/autograd';

/** Dim sizes for random shapes: small, mostly odd, so that gradcheck stays quick. */
const DIM_SIZES = [1, 2, 3, 5, 7];

/** A random shape with `ndim` dims drawn from DIM_SIZES. */
export function randomShape(g: Generator, ndim: number): number[] {
  return Array.from({ length: ndim }, () => DIM_SIZES[g.integer(0, DIM_SIZES.length)]);
}

export interface RandomInput {
  low?: number;
  high?: number;
  /** Keep |x| ≥ this, so that kinks (relu at 0) and poles (1/x) stay out of the finite differences' reach. */
  awayFromZero?: number;
  requiresGrad?: boolean;
}

/** A float64 cpu tensor of uniform values in [low, high) that requires grad (by default). */
export function randomInput(g: Generator, shape: readonly number[], opts: RandomInput = {}): Tensor {
  const { low = -1, high = 1, awayFromZero = 0, requiresGrad = true } = opts;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float64Array.from({ length: n }, () => {
    const v = low + g.uniform() * (high - low);
    return Math.abs(v) < awayFromZero ? Math.sign(v || 1) * awayFromZero : v;
  });
  return fromArray(data, shape, { dtype: 'float64', device: 'cpu', requiresGrad });
}

/** Distinct values (at least 0.05 apart) in random order: no ties for max/maximum within eps. */
export function distinctInput(g: Generator, shape: readonly number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const perm = g.permutation(n);
  const data = Float64Array.from(perm, (p) => (p - n / 2) * 0.1 + g.uniform() * 0.05);
  return fromArray(data, shape, { dtype: 'float64', device: 'cpu', requiresGrad: true });
}

/** Random int32 indices in [low, high) on the cpu device. */
export function randomIndex(g: Generator, n: number, low: number, high: number): Tensor {
  return fromArray(Int32Array.from({ length: n }, () => g.integer(low, high)), [n], { dtype: 'int32', device: 'cpu' });
}

export function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** gradcheck must pass (it throws with the mismatching element otherwise). */
export async function expectGradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options?: GradcheckOptions): Promise<void> {
  expect(await gradcheck(fn, inputs, options)).toBe(true);
}

/** max|actual − expected| / max|expected| over a whole tensor: the relative error of the tests. */
export const relativeError = testing.relativeError;
