import { beforeAll, describe, expect, it } from 'vitest';
import { amax, amin, argmax, argmin, fromArray, max, mean, prod, sum, tensor, type Device, type Tensor } from '@mini/tensor';
import { expectTensorsClose, pairOf, randomInts, uniformData, values, webgpu } from './helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

// Odd shapes: single elements, R = 1, R = 257, R past one workgroup (784), 3-D middle dims.
const SHAPES: number[][] = [[1], [7], [33], [257], [784], [19, 70], [1, 5], [5, 1], [257, 3], [3, 257, 2], [2, 33, 7], []];

type Reduction = (x: Tensor, dim: number | undefined, keepdim: boolean) => Tensor;
const REDUCTIONS: [string, Reduction][] = [
  ['sum', sum],
  ['mean', mean],
  ['amax', amax],
  ['argmax', argmax],
  ['amin', amin],
  ['argmin', argmin],
  ['prod', prod],
  ['max(dim).values', (x, dim, keepdim) => (dim === undefined ? max(x) : max(x, dim, keepdim).values)],
  ['max(dim).indices', (x, dim, keepdim) => (dim === undefined ? argmax(x) : max(x, dim, keepdim).indices)],
];

/** Every dim (as a positive and as a negative index), and all dims. */
function dimsOf(shape: number[]): (number | undefined)[] {
  return [undefined, ...shape.map((_, d) => d), ...(shape.length > 0 ? [-1] : [])];
}

// Sums in float32 on the GPU are added in a different order than the cpu reference's doubles:
// with |x| < 1 and up to 784 terms the difference stays below 2e-5 absolute.
describe('reductions on webgpu match the cpu reference (rtol 1e-5, atol 2e-5)', () => {
  for (const [name, reduce] of REDUCTIONS) {
    describe(name, () => {
      for (const shape of SHAPES) {
        it(`shape [${shape}] over every dim and all, with and without keepdim`, async () => {
          const n = shape.reduce((p, d) => p * d, 1);
          // Quarters, so that max and argmax meet ties; products of factors near 1, so that 784 of them stay finite and nonzero.
          const data = uniformData(n, n + shape.length, -1, 1).map((v) => (name === 'prod' ? 1 + v / 8 : Math.round(v * 4) / 4));
          const [c, g] = pairOf(data, shape, gpu);
          for (const dim of dimsOf(shape)) {
            for (const keepdim of [false, true]) {
              const expected = reduce(c, dim, keepdim);
              const actual = reduce(g, dim, keepdim);
              expect(actual.shape, `dim ${dim} keepdim ${keepdim}`).toEqual(expected.shape);
              await expectTensorsClose(actual, expected, 1e-5, 2e-5);
            }
          }
        });
      }
    });
  }
});

describe('reduction results', () => {
  it('sum, mean and max of a small matrix equal the values worked out by hand', async () => {
    for (const device of ['cpu', gpu] as const) {
      const x = tensor([[1, 5, 3], [4, 2, 6]], { device }).float();
      expect(await sum(x).item()).toBe(21);
      expect(await values(sum(x, 0))).toEqual([5, 7, 9]);
      expect(await sum(x, 1, true).tolist()).toEqual([[9], [12]]);
      expect(await values(mean(x, 1))).toEqual([3, 4]);
      expect(await values(amax(x, 0))).toEqual([4, 5, 6]);
      expect(await values(argmax(x, 1))).toEqual([1, 2]);
      expect(await argmax(x).item()).toBe(5);
      expect(argmax(x, 1).dtype).toBe('int32');
    }
  });

  it('int32 sum is exact and stays int32, as is max; bool sums count', async () => {
    const data = randomInts(3 * 257, 9, -1000, 1000);
    const [c, g] = pairOf(data, [3, 257], gpu);
    const rowSums = [0, 1, 2].map((r) => data.slice(r * 257, (r + 1) * 257).reduce((a, b) => a + b, 0));
    for (const t of [c, g]) {
      expect(sum(t).dtype).toBe('int32');
      expect(await values(sum(t, 1))).toEqual(rowSums);
      expect(await sum(t).item()).toBe(rowSums[0] + rowSums[1] + rowSums[2]);
      expect(await max(t).item()).toBe(Math.max(...data));
      expect(amax(t, 0).dtype).toBe('int32');
      const positives = Array.from(data).filter((v) => v > 0).length;
      expect(await sum(t.gt(0)).item()).toBe(positives);
    }
  });

  it('argmax returns the first index among equal maxima on both devices', async () => {
    // Many ties: values in {0, 1, 2}; rows longer than a workgroup so that the tree meets them.
    const data = randomInts(5 * 300, 3, 0, 3);
    const expected = [0, 1, 2, 3, 4].map((r) => data.slice(r * 300, (r + 1) * 300).indexOf(2));
    const [c, g] = pairOf(Float32Array.from(data), [5, 300], gpu);
    for (const t of [c, g]) {
      expect(await values(argmax(t, 1))).toEqual(expected);
      expect(await values(argmax(t.t(), 0))).toEqual(expected);
      expect(await argmax(t).item()).toBe(Array.from(data).indexOf(2));
    }
    const ones = fromArray(new Float32Array(1000).fill(1), [1000], { device: gpu });
    expect(await argmax(ones).item()).toBe(0);
  });

  it('max and argmax propagate NaN as PyTorch does (the first NaN wins)', async () => {
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray([2, NaN, 3, NaN, 1, 5, 7, 0, -1], [3, 3], { device });
      expect(await max(x).item()).toBeNaN();
      expect(await argmax(x).item()).toBe(1);
      const rows = await values(amax(x, 1));
      expect(rows[0]).toBeNaN();
      expect(rows[1]).toBeNaN();
      expect(rows[2]).toBe(7);
      expect(await values(argmax(x, 1))).toEqual([1, 0, 0]);
      expect(await values(argmax(x, 0))).toEqual([1, 0, 1]);
    }
  });

  it('covers more outputs than one grid dimension holds (65,535 workgroups, a workgroup per output past 64 elements)', async () => {
    const [rows, cols] = [70000, 65];
    const data = Float32Array.from({ length: rows * cols }, (_, i) => (i % cols ? 1 : Math.floor(i / cols) % 97));
    const [c, g] = pairOf(data, [rows, cols], gpu);
    await expectTensorsClose(sum(g, 1), sum(c, 1), 0, 0);
    await expectTensorsClose(argmax(g, 1), argmax(c, 1), 0, 0);
  });

  it('reduces strided views and views with an offset', async () => {
    const [c, g] = pairOf(uniformData(6 * 40, 4, -1, 1), [6, 40], gpu);
    const views: ((x: Tensor) => Tensor)[] = [
      (x) => sum(x.t(), 1),
      (x) => amax(x.narrow(0, 2, 3), 0),
      (x) => argmax(x.narrow(1, 7, 20), 1),
      (x) => mean(x.narrow(0, 1, 4).t(), 0, true),
      (x) => sum(x.reshape(6, 5, 8).permute(2, 0, 1), 1),
    ];
    for (const reduce of views) await expectTensorsClose(reduce(g), reduce(c), 1e-5, 1e-6);
  });

  it('reduces empty tensors like PyTorch: sum to 0, mean to NaN, max raises', async () => {
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray([], [0, 3], { device });
      expect(await values(sum(x, 0))).toEqual([0, 0, 0]);
      expect(sum(x, 1).shape).toEqual([0]);
      expect(await sum(x).item()).toBe(0);
      expect(await mean(x).item()).toBeNaN();
      expect(() => max(x, 0)).toThrow('max(): Expected reduction dim 0 to have non-zero size.');
      expect(() => argmax(x)).toThrow('argmax(): Expected reduction dim to be specified for input.numel() == 0.');
    }
  });

  it('raises PyTorch’s errors for bad dims and for mean of an integer tensor', () => {
    const x = tensor([[1, 2], [3, 4]], { device: gpu });
    expect(() => sum(x, 2)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
    expect(() => argmax(x, -3)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got -3)');
    expect(() => mean(x)).toThrow('mean(): could not infer output dtype. Input dtype must be floating point, but got int32');
  });
});
