import { expect } from 'vitest';
import { Generator, fromArray, init, type Device, type Tensor } from '@mini/tensor';

/** The WebGPU device for tests: a test that finds no adapter fails (it never skips). */
export async function webgpu(): Promise<Device> {
  return init('webgpu');
}

/** Random float32 data in [-scale, scale) from a seeded generator. */
export function randomData(n: number, seed: number, scale = 1): Float32Array {
  const g = new Generator(seed);
  return Float32Array.from({ length: n }, () => (g.uniform() * 2 - 1) * scale);
}

/** The same random tensor on cpu and on webgpu. */
export function pair(shape: number[], seed: number, gpu: Device, scale = 1): [Tensor, Tensor] {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = randomData(n, seed, scale);
  return [fromArray(data, shape, { device: 'cpu' }), fromArray(data, shape, { device: gpu })];
}

/** |actual − expected| ≤ atol + rtol·|expected| elementwise, with the worst element named on failure. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(`element ${worst}: ${actual[worst]} vs expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}

/** Reads both tensors and compares them. */
export async function expectTensorsClose(actual: Tensor, expected: Tensor, rtol = 1e-5, atol = 1e-6): Promise<void> {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.dtype).toBe(expected.dtype);
  expectClose(await actual.toArray(), await expected.toArray(), rtol, atol);
}
