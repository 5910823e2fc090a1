import { expect } from 'vitest';
import { Generator, fromArray, init, type Device, type DType, type Tensor, type TypedArray } from '@mini/tensor';
import { testing } from '@mini/tensor/internal';

/** The WebGPU device for tests: a test that finds no adapter fails (it never skips). */
export async function webgpu(): Promise<Device> {
  return init('webgpu');
}

/** Sizes that are not multiples of any workgroup or tile, and MNIST's row length. */
export const SIZES = [1, 7, 33, 257, 784] as const;

/** The 1-D sizes as shapes, plus a 2-D shape that is not a tile multiple either. */
export const SHAPES: readonly number[][] = [...SIZES.map((n) => [n]), [19, 70]];

/** Random float32 data in [-scale, scale) from a seeded generator. */
export function randomData(n: number, seed: number, scale = 1): Float32Array {
  return uniformData(n, seed, -scale, scale);
}

/** Random float32 data in [low, high) from a seeded generator. */
export function uniformData(n: number, seed: number, low: number, high: number): Float32Array {
  const g = new Generator(seed);
  return Float32Array.from({ length: n }, () => low + g.uniform() * (high - low));
}

/** Random integers in [low, high) from a seeded generator. */
export function randomInts(n: number, seed: number, low: number, high: number): Int32Array {
  const g = new Generator(seed);
  return Int32Array.from({ length: n }, () => g.integer(low, high));
}

/**
 * Int32 index data of `shape` whose values along dim are distinct (a random permutation's prefix
 * of 0..size-1 for each line along dim): a scatter with it has one writer per element.
 */
export function distinctIndexData(shape: readonly number[], dim: number, size: number, seed: number): Int32Array {
  const g = new Generator(seed);
  const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
  const [outer, inner] = [count(shape.slice(0, dim)), count(shape.slice(dim + 1))];
  const data = new Int32Array(count(shape));
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const perm = g.permutation(size);
      for (let i = 0; i < shape[dim]; i++) data[(o * shape[dim] + i) * inner + j] = perm[i];
    }
  }
  return data;
}

/** The same data as a tensor on cpu and on webgpu. */
export function pairOf(data: TypedArray | readonly number[], shape: readonly number[], gpu: Device, dtype?: DType): [Tensor, Tensor] {
  return [fromArray(data, shape, { device: 'cpu', dtype }), fromArray(data, shape, { device: gpu, dtype })];
}

/** The same random tensor on cpu and on webgpu. */
export function pair(shape: number[], seed: number, gpu: Device, scale = 1): [Tensor, Tensor] {
  const n = shape.reduce((a, b) => a * b, 1);
  return pairOf(randomData(n, seed, scale), shape, gpu);
}

/** |actual − expected| ≤ atol + rtol·|expected| elementwise, with the worst element named on failure. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6): void {
  const mismatch = testing.closeMismatch(actual, expected, rtol, atol);
  if (mismatch) expect.fail(mismatch);
}

/** Reads both tensors and compares them (shape, dtype and values). */
export async function expectTensorsClose(actual: Tensor, expected: Tensor, rtol = 1e-5, atol = 1e-6): Promise<void> {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.dtype).toBe(expected.dtype);
  expectClose(await actual.toArray(), await expected.toArray(), rtol, atol);
}

/** The tensor's elements as a plain array. */
export async function values(t: Tensor): Promise<number[]> {
  return Array.from(await t.toArray());
}
