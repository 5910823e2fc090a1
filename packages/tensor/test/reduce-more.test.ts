import { beforeAll, describe, expect, it } from 'vitest';
import {
  all,
  amax,
  amin,
  any,
  argsort,
  cumsum,
  fromArray,
  logsumexp,
  max,
  mean,
  min,
  norm,
  sort,
  std,
  sum,
  topk,
  variance,
  type Device,
  type Tensor,
} from '@mini/tensor';
import { expectTensorsClose, pairOf, uniformData, values, webgpu } from './helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

// Odd shapes, with 1s, a line past one workgroup (257) and a 3-D block.
const SHAPES: number[][] = [[1], [7], [257], [5, 1], [19, 70], [3, 257, 2], [2, 33, 7]];

/** The same data on both devices, as given and as a non-contiguous view (transposed, then narrowed). */
function inputs(shape: number[], seed: number, quantize = false): [Tensor, Tensor][] {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = uniformData(n, seed, -2, 2).map((v) => (quantize ? Math.round(v * 2) / 2 : v));
  const [c, g] = pairOf(data, shape, gpu);
  if (shape.length < 2) return [[c, g]];
  const strided = (t: Tensor) => t.transpose(0, shape.length - 1);
  return [
    [c, g],
    [strided(c), strided(g)],
  ];
}

/** Every subset of dims of a tensor with ndim dims, the empty one (all) included. */
function dimSets(ndim: number): number[][] {
  return Array.from({ length: 1 << ndim }, (_, mask) => Array.from({ length: ndim }, (_, d) => d).filter((d) => mask & (1 << d)));
}

describe('several dims at once match the cpu reference on webgpu', () => {
  const ops: [string, (x: Tensor, dims: number[], keepdim: boolean) => Tensor][] = [
    ['sum', sum],
    ['mean', mean],
    ['amax', amax],
    ['amin', amin],
    ['var', (x, d, keepdim) => variance(x, d, { keepdim })],
    ['std', (x, d, keepdim) => std(x, d, false, keepdim)],
    ['norm', (x, d, keepdim) => norm(x, 2, d, keepdim)],
    ['logsumexp', (x, d, keepdim) => logsumexp(x, d, keepdim)],
  ];
  for (const [name, op] of ops) {
    it(`${name} over every set of dims, keepdim false and true, contiguous and strided`, async () => {
      for (const shape of SHAPES) {
        for (const [c, g] of inputs(shape, shape.length * 31 + 1)) {
          for (const dims of dimSets(shape.length)) {
            for (const keepdim of [false, true]) {
              const label = `${name} [${c.shape}] dims [${dims}] keepdim ${keepdim}`;
              const expected = op(c, dims, keepdim);
              const actual = op(g, dims, keepdim);
              expect(actual.shape, label).toEqual(expected.shape);
              await expectTensorsClose(actual, expected, 1e-4, 1e-5);
            }
          }
        }
      }
    });
  }

  it('a dim given twice is an error, as in PyTorch', () => {
    const x = fromArray([1, 2, 3, 4], [2, 2], { device: gpu });
    expect(() => sum(x, [0, -2])).toThrow('dim 0 appears multiple times in the list of dims');
  });
});

describe('max(dim) and min(dim) give PyTorch’s (values, indices)', () => {
  it('destructure as an array and as an object, on both devices and on strided views', async () => {
    for (const shape of SHAPES) {
      for (const [c, g] of inputs(shape, shape.length * 7 + 3, true)) {
        for (let d = 0; d < shape.length; d++) {
          for (const op of [max, min]) {
            const [cv, ci] = op(c, d, true);
            const { values: gv, indices: gi } = op(g, d, true);
            await expectTensorsClose(gv, cv, 0, 0);
            await expectTensorsClose(gi, ci, 0, 0);
            expect(op(g, d).values.shape).toEqual(c.shape.filter((_, i) => i !== d));
          }
        }
      }
    }
  });

  it('are the first index among ties, and NaN wins', async () => {
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray([3, 1, 3, 1, NaN, 2, 5, 5, 5], [3, 3], { device });
      const m = max(x, 1);
      expect(await values(m.indices)).toEqual([0, 1, 0]);
      expect((await values(m.values))[1]).toBeNaN();
      expect(await values(min(x, 1).indices)).toEqual([1, 1, 0]);
      const least = await values(min(x, 1)[0]);
      expect([least[0], least[2]]).toEqual([1, 5]);
      expect(least[1]).toBeNaN();
    }
  });
});

describe('all and any', () => {
  it('reduce to bool over a dim or all, for floats, ints and bools', async () => {
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray([0, 1, 2, 0, 0, 0, 3, 4, 5], [3, 3], { device });
      expect(all(x).dtype).toBe('bool');
      expect(await all(x).item()).toBe(0);
      expect(await any(x).item()).toBe(1);
      expect(await values(any(x, 1))).toEqual([1, 0, 1]);
      expect(await values(all(x, 1))).toEqual([0, 0, 1]);
      expect(await values(all(x.gt(-1), 0, true))).toEqual([1, 1, 1]);
      expect(await values(any(x.int(), 0))).toEqual([1, 1, 1]);
      const empty = fromArray([], [0], { device });
      expect(await all(empty).item()).toBe(1);
      expect(await any(empty).item()).toBe(0);
    }
  });
});

describe('cumsum', () => {
  it('matches the cpu reference along every dim, contiguous and strided, floats and ints', async () => {
    for (const shape of SHAPES) {
      for (const [c, g] of inputs(shape, shape.length * 13 + 5)) {
        for (let d = -1; d < shape.length; d++) {
          await expectTensorsClose(cumsum(g, d), cumsum(c, d), 1e-5, 2e-5);
          await expectTensorsClose(cumsum(g.gt(0), d), cumsum(c.gt(0), d), 0, 0);
        }
      }
    }
  });

  it('sums in order and takes a dtype', async () => {
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device, dtype: 'int32' });
      expect(await cumsum(x, 1).tolist()).toEqual([[1, 3, 6], [4, 9, 15]]);
      expect(await cumsum(x, 0).tolist()).toEqual([[1, 2, 3], [5, 7, 9]]);
      expect(cumsum(x, 0, { dtype: 'float32' }).dtype).toBe('float32');
      expect(() => cumsum(x, 0, { dtpye: 'float32' } as never)).toThrow("cumsum() got an unexpected keyword argument 'dtpye'");
    }
  });
});

describe('sort, argsort and topk', () => {
  it('match the cpu reference along every dim, ascending and descending, with ties, contiguous and strided', async () => {
    for (const shape of SHAPES) {
      for (const [c, g] of inputs(shape, shape.length * 17 + 7, true)) {
        for (let d = -1; d < shape.length; d++) {
          for (const descending of [false, true]) {
            const [cv, ci] = sort(c, d, descending);
            const [gv, gi] = sort(g, d, descending);
            await expectTensorsClose(gv, cv, 0, 0);
            await expectTensorsClose(gi, ci, 0, 0);
            await expectTensorsClose(argsort(g, d, { descending }), ci, 0, 0);
            const k = Math.min(3, c.shape.at(d)!);
            // topk's largest is a descending sort's start.
            const [tv, ti] = topk(g, k, d, descending);
            await expectTensorsClose(tv, cv.narrow(d, 0, k).contiguous(), 0, 0);
            await expectTensorsClose(ti, ci.narrow(d, 0, k).contiguous(), 0, 0);
          }
        }
      }
    }
  });

  it('are stable, put NaN above every number, and sort ints and bools', async () => {
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray([2, NaN, 1, 2, -1, NaN, 1], [7], { device });
      const up = sort(x);
      expect(await values(up.indices)).toEqual([4, 2, 6, 0, 3, 1, 5]);
      const down = sort(x, { descending: true, stable: true });
      expect(await values(down.indices)).toEqual([1, 5, 0, 3, 2, 6, 4]);
      expect(await values(topk(x, 2, 0, false).values)).toEqual([-1, 1]);
      const ints = fromArray([3, -7, 3, 0], [4], { device, dtype: 'int32' });
      expect(await values(sort(ints).values)).toEqual([-7, 0, 3, 3]);
      expect(await values(sort(ints.gt(0)).values)).toEqual([0, 0, 1, 1]);
    }
  });

  it("raise PyTorch's errors", () => {
    const x = fromArray([1, 2, 3], [3], { device: gpu });
    expect(() => topk(x, 4)).toThrow('selected index k out of range');
    expect(() => sort(x, { stabel: true } as never)).toThrow("sort() got an unexpected keyword argument 'stabel'");
    expect(() => sort(x, 0, { dim: 0 })).toThrow("sort() got multiple values for argument 'dim'");
  });
});

describe('var, std, norm and logsumexp', () => {
  it('take PyTorch 1.13’s arguments: unbiased, correction, keepdim', async () => {
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray([1, 2, 3, 4, 6, 8], [2, 3], { device });
      // Deviations from the mean 4: -3, -2, -1, 0, 2, 4; their squares sum to 34.
      expect(await variance(x).item()).toBeCloseTo(34 / 5, 5);
      expect(await variance(x, false).item()).toBeCloseTo(34 / 6, 5);
      expect(await values(variance(x, 1))).toEqual([1, 4]);
      expect(await values(variance(x, 1, false))).toEqual([2 / 3, 8 / 3].map(Math.fround));
      expect(await values(variance(x, 1, { correction: 2 }))).toEqual([2, 8]);
      expect(variance(x, 1, true, true).shape).toEqual([2, 1]);
      expect(await values(std(x, 1))).toEqual([1, 2]);
      expect(await std(x, [0, 1], { correction: 0 }).item()).toBeCloseTo(Math.sqrt(34 / 6), 5);
      // One element per row and correction 1: 0 / 0.
      expect((await values(variance(x.narrow(1, 0, 1), 1)))[0]).toBeNaN();
      expect(() => variance(x, 1, { unbiased: true, correction: 1 })).toThrow('cannot specify both unbiased and correction');
      expect(() => std(x.int())).toThrow('std(): only floating point dtypes are supported, found int32');
    }
  });

  it('norm of each order, worked out by hand', async () => {
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray([3, -4, 0, 12], [2, 2], { device });
      expect(await norm(x).item()).toBe(13);
      expect(await norm(x, 'fro').item()).toBe(13);
      expect(await norm(x, 1).item()).toBe(19);
      expect(await norm(x, Infinity).item()).toBe(12);
      expect(await norm(x, -Infinity).item()).toBe(0);
      expect(await norm(x, 0).item()).toBe(3);
      expect(await values(norm(x, 2, 1))).toEqual([5, 12]);
      expect(await norm(x, 3).item()).toBeCloseTo(Math.cbrt(27 + 64 + 1728), 4);
      expect(() => norm(x, 'nuc')).toThrow("p='nuc'");
    }
  });

  it('logsumexp is stable for large inputs and exact for infinite ones', async () => {
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray([1000, 1000, -Infinity, -Infinity, Infinity, 0], [3, 2], { device });
      const out = await values(logsumexp(x, 1));
      expect(out[0]).toBeCloseTo(1000 + Math.LN2, 3);
      expect(out[1]).toBe(-Infinity);
      expect(out[2]).toBe(Infinity);
    }
  });
});
