import { beforeAll, describe, expect, it } from 'vitest';
import {
  cat,
  chunk,
  diagonal,
  flip,
  fromArray,
  numel,
  gather,
  indexSelect,
  maskedFill,
  maskedSelect,
  repeat,
  scatter,
  scatterAdd,
  select,
  slice,
  split,
  stack,
  tensor,
  tril,
  triu,
  type Device,
  type Tensor,
} from '@mini/tensor';
import { distinctIndexData, expectTensorsClose, pair, pairOf, randomInts, values, webgpu } from './helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

/** The same int32 index on cpu and webgpu: values in [0, high). */
function indexPair(shape: number[], high: number, seed: number): [Tensor, Tensor] {
  return pairOf(randomInts(numel(shape), seed, 0, high), shape, gpu, 'int32');
}

/** The same index on cpu and webgpu, distinct along dim (see distinctIndexData). */
function distinctIndex(shape: number[], dim: number, size: number, seed: number): [Tensor, Tensor] {
  return pairOf(distinctIndexData(shape, dim, size, seed), shape, gpu, 'int32');
}

/** [x shape, dim, index shape]: odd sizes (1, 7, 33, 257), index smaller than x off dim. */
const GATHER_CASES: [number[], number, number[]][] = [
  [[257], 0, [33]],
  [[1], 0, [7]],
  [[7, 33], 1, [7, 257]],
  [[33, 7], 0, [1, 7]],
  [[3, 33, 5], -2, [3, 7, 5]],
  [[7, 33, 2], 2, [5, 1, 257]],
];

describe('gather, scatter and scatterAdd on webgpu match the cpu reference', () => {
  for (const [shape, dim, ishape] of GATHER_CASES) {
    const d = (dim + shape.length) % shape.length;
    it(`gather x [${shape}] dim ${dim} index [${ishape}] (exact)`, async () => {
      const [xc, xg] = pair(shape, numel(shape), gpu);
      const [ic, ig] = indexPair(ishape, shape[d], numel(ishape));
      const out = gather(xg, dim, ig);
      expect(out.shape).toEqual(ishape);
      await expectTensorsClose(out, gather(xc, dim, ic), 0, 0);
    });

    it(`scatterAdd into [${shape}] dim ${dim} from [${ishape}], indices repeated (rtol 1e-6: atomic order)`, async () => {
      const [xc, xg] = pair(shape, 3, gpu);
      const [sc, sg] = pair(ishape, 4, gpu);
      const [ic, ig] = indexPair(ishape, shape[d], 5);
      await expectTensorsClose(scatterAdd(xg, dim, ig, sg), scatterAdd(xc, dim, ic, sc), 1e-6, 1e-6);
    });

    if (ishape[d] <= shape[d]) {
      it(`scatter into [${shape}] dim ${dim} from [${ishape}], a tensor and a number (exact)`, async () => {
        const [xc, xg] = pair(shape, 6, gpu);
        const [sc, sg] = pair(ishape, 7, gpu);
        const [ic, ig] = distinctIndex(ishape, d, shape[d], 8);
        await expectTensorsClose(scatter(xg, dim, ig, sg), scatter(xc, dim, ic, sc), 0, 0);
        await expectTensorsClose(xg.scatter(dim, ig, 2.5), xc.scatter(dim, ic, 2.5), 0, 0);
      });
    }
  }

  it('works out small cases by hand, on float, int32 and bool data', async () => {
    for (const device of ['cpu', gpu] as const) {
      const x = tensor([[1, 2], [3, 4]], { device });
      const index = tensor([[0, 0], [1, 0]], { device });
      expect(await gather(x, 1, index).tolist()).toEqual([[1, 1], [4, 3]]);
      expect(await x.gt(2).gather(1, index).tolist()).toEqual([[false, false], [true, true]]);
      const zeros = tensor([[0, 0, 0], [0, 0, 0]], { device });
      const src = tensor([[1, 2, 3], [4, 5, 6]], { device });
      expect(await scatterAdd(zeros, 1, tensor([[0, 0, 2], [1, 1, 1]], { device }), src).tolist()).toEqual([[3, 0, 3], [0, 15, 0]]);
      expect(await scatter(zeros, 0, tensor([[1, 0, 1]], { device }), src).tolist()).toEqual([[0, 2, 0], [1, 0, 3]]);
      expect(await zeros.float().scatter(1, tensor([[2], [0]], { device }), 1.5, { reduce: 'add' }).tolist()).toEqual([[0, 0, 1.5], [1.5, 0, 0]]);
      expect(await zeros.scatter(1, tensor([[1]], { device }), 2.7).tolist()).toEqual([[0, 2, 0], [0, 0, 0]]);
    }
  });

  it('reads non-contiguous sources and indices, and an index broadcast by expand (stride 0)', async () => {
    const [xc, xg] = pair([33, 7], 9, gpu);
    const [ic, ig] = indexPair([7, 1], 7, 10);
    const f = (x: Tensor, i: Tensor) => gather(x.t(), 1, i.expand(7, 20));
    await expectTensorsClose(f(xg, ig), f(xc, ic), 0, 0);
    const [sc, sg] = pair([20, 7], 11, gpu);
    const g = (x: Tensor, i: Tensor, s: Tensor) => scatterAdd(x.t(), 1, i.expand(7, 20), s.t());
    await expectTensorsClose(g(xg, ig, sg), g(xc, ic, sc), 1e-6, 1e-6);
  });

  it('raises for an index out of range: at once on cpu, at the next readback on webgpu', async () => {
    const [xc, xg] = pair([2, 3], 12, gpu);
    const [ic, ig] = pairOf(Int32Array.from([0, 3, 1, 2]), [2, 2], gpu);
    expect(() => gather(xc, 1, ic)).toThrow('index 3 is out of bounds for dimension 1 with size 3');
    await expect(gather(xg, 1, ig).toArray()).rejects.toThrow('index 3 is out of bounds for dimension 1 with size 3');
    expect(() => scatterAdd(xc, 1, ic, xc)).toThrow('index 3 is out of bounds for dimension 1 with size 3');
  });

  it("raises PyTorch's errors for bad operands", () => {
    const x = fromArray(new Float32Array(6), [2, 3], { device: gpu });
    const index = fromArray(Int32Array.from([0, 1, 0, 1, 0, 1]), [2, 3], { device: gpu });
    expect(() => gather(x, 0, index.float())).toThrow('gather: expected index of dtype int32, found float32');
    expect(() => gather(x, 0, index.reshape(6))).toThrow('Index tensor must have the same number of dimensions as input tensor');
    expect(() => gather(x, 0, fromArray(new Int32Array(8), [2, 4], { device: gpu }))).toThrow(
      'Size does not match at dimension 1 expected index [2, 4] to be smaller than self [2, 3] apart from dimension 0',
    );
    expect(() => scatter(x, 1, index, fromArray(new Float32Array(4), [2, 2], { device: gpu }))).toThrow(
      'Expected index [2, 3] to be smaller than self [2, 3] apart from dimension 1 and to be smaller size than src [2, 2]',
    );
    expect(() => scatter(x, 1, index, x.int())).toThrow('scatter(): Expected self.dtype to be equal to src.dtype');
    expect(() => scatterAdd(x.gt(0), 1, index, x.gt(0))).toThrow(`"scatter_add" not implemented for 'Bool'`);
    expect(() => scatter(x, 1, index, x, { reduce: 'multiply' as 'add' })).toThrow("scatter(): reduce 'multiply' is not supported");
    expect(() => scatter(x, 1, index, x, { reduce: 'add', out: x } as never)).toThrow("scatter() got an unexpected keyword argument 'out'");
  });
});

describe('indexSelect: a gather with a spread index; its backward a linear-time scatter-add', () => {
  for (const [shape, dim, count] of [
    [[257, 33], 0, 1000],
    [[7, 257], 1, 33],
    [[3, 7, 5], -1, 257],
  ] as [number[], number, number][]) {
    it(`x [${shape}], dim ${dim}, ${count} indices with repeats: forward exact, backward (rtol 1e-5)`, async () => {
      const d = (dim + shape.length) % shape.length;
      const [xc, xg] = pair(shape, 13, gpu);
      const [ic, ig] = indexPair([count], shape[d], 14);
      const outShape = shape.map((s, k) => (k === d ? count : s));
      const [gc, gg] = pair(outShape, 15, gpu);
      const grad = (x: Tensor, i: Tensor, g: Tensor) => {
        const y = indexSelect(x.requiresGrad_(), dim, i);
        return y.gradFn!.apply(g)[0]!;
      };
      await expectTensorsClose(indexSelect(xg, dim, ig), indexSelect(xc, dim, ic), 0, 0);
      await expectTensorsClose(grad(xg, ig, gg), grad(xc, ic, gc), 1e-5, 1e-5);
    });
  }

  it('takes one zero fill and one scatter-add dispatch for its backward, whatever the index count', () => {
    const x = fromArray(new Float32Array(257 * 33), [257, 33], { device: gpu, requiresGrad: true });
    const index = fromArray(randomInts(4096, 1, 0, 257), [4096], { device: gpu });
    const y = indexSelect(x, 0, index);
    const before = gpu.gpu.dispatchCount;
    y.gradFn!.apply(fromArray(new Float32Array(4096 * 33), [4096, 33], { device: gpu }));
    expect(gpu.gpu.dispatchCount - before).toBe(2);
  });
});

describe('views: slice, select, diagonal, split, chunk share the storage', () => {
  it('slice with steps and Python bounds on any dim', async () => {
    for (const device of ['cpu', gpu] as const) {
      const [xc, xg] = pair([7, 33], 16, gpu);
      const x = device === 'cpu' ? xc : xg;
      for (const [dim, start, end, step] of [
        [1, 1, 30, 3],
        [0, -5, undefined, 2],
        [1, undefined, -1, 1],
        [0, 3, 100, 4],
        [1, 20, 5, 1],
      ] as [number, number | undefined, number | undefined, number][]) {
        const view = slice(x, dim, start, end, step);
        expect(view.storage).toBe(x.storage);
        const size = x.shape[dim];
        const from = Math.min(Math.max((start ?? 0) < 0 ? (start ?? 0) + size : (start ?? 0), 0), size);
        const to = Math.min(Math.max((end ?? size) < 0 ? (end ?? size) + size : (end ?? size), 0), size);
        const picked = Array.from({ length: Math.max(0, Math.ceil((to - from) / step)) }, (_, i) => from + i * step);
        expect(view.shape[dim]).toBe(picked.length);
        const all = await values(x);
        const expected = dim === 0 ? picked.flatMap((r) => all.slice(r * 33, r * 33 + 33)) : Array.from({ length: 7 }, (_, r) => picked.map((c) => all[r * 33 + c])).flat();
        expect(await values(view)).toEqual(expected);
      }
      expect(() => slice(x, 0, 0, 3, 0)).toThrow('slice step must be positive');
    }
  });

  it('select, diagonal, split and chunk against hand-worked values', async () => {
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray(Array.from({ length: 12 }, (_, i) => i), [3, 4], { device });
      expect(await select(x, 1, -1).tolist()).toEqual([3, 7, 11]);
      expect(await x.select(0, 1).tolist()).toEqual([4, 5, 6, 7]);
      expect(() => select(x, 0, 3)).toThrow('select(): index 3 out of range for tensor of size [3, 4] at dimension 0');
      expect(await diagonal(x).tolist()).toEqual([0, 5, 10]);
      expect(await x.diagonal(1).tolist()).toEqual([1, 6, 11]);
      expect(await x.diagonal(-1).tolist()).toEqual([4, 9]);
      expect(await x.t().diagonal(2).tolist()).toEqual([8]);
      expect(await Promise.all(split(x, 3, 1).map((t) => t.tolist()))).toEqual([[[0, 1, 2], [4, 5, 6], [8, 9, 10]], [[3], [7], [11]]]);
      expect(split(x, [1, 2], 0).map((t) => t.shape)).toEqual([[1, 4], [2, 4]]);
      expect(() => split(x, [1, 1], 0)).toThrow('split_with_sizes expects split_sizes to sum exactly to 3');
      expect(chunk(x, 3, 1).map((t) => t.shape)).toEqual([[3, 2], [3, 2]]);
      expect(chunk(x, 2).map((t) => t.shape)).toEqual([[2, 4], [1, 4]]);
      for (const t of [...chunk(x, 2), select(x, 0, 2), diagonal(x)]) expect(t.storage).toBe(x.storage);
      const scalar = x.sum();
      expect(() => select(scalar, 0, 0)).toThrow('select() cannot be applied to a 0-dim tensor.');
      expect(() => slice(scalar)).toThrow('slice() cannot be applied to a 0-dim tensor.');
      expect(() => split(scalar, 1)).toThrow('split expects at least a 1-dimensional tensor');
      expect(() => chunk(scalar, 1)).toThrow('chunk expects at least a 1-dimensional tensor');
      expect(await flip(scalar, [0]).item()).toBe(66);
    }
  });
});

describe('copies: cat, stack, repeat, flip, tril/triu, maskedFill, maskedSelect on webgpu match the cpu', () => {
  it('cat and stack of odd shapes on every dim, from non-contiguous inputs, with dtype promotion', async () => {
    const [ac, ag] = pair([7, 33], 17, gpu);
    const [bc, bg] = pair([33, 7], 18, gpu);
    const [cc, cg] = pair([7, 1], 19, gpu);
    const [dc, dg] = pair([257], 20, gpu);
    await expectTensorsClose(cat([ag, bg.t(), cg], 1), cat([ac, bc.t(), cc], 1), 0, 0);
    await expectTensorsClose(cat([ag, bg.t()], 0), cat([ac, bc.t()], 0), 0, 0);
    await expectTensorsClose(cat([dg, dg.slice(0, 1, 257, 7), fromArray([], [0], { device: gpu })]), cat([dc, dc.slice(0, 1, 257, 7)]), 0, 0);
    await expectTensorsClose(stack([ag, bg.t(), ag], -1), stack([ac, bc.t(), ac], -1), 0, 0);
    await expectTensorsClose(stack([ag, ag], 1), stack([ac, ac], 1), 0, 0);
    const mixed = cat([tensor([1, 2], { device: gpu }), tensor([0.5], { device: gpu })]);
    expect([mixed.dtype, await mixed.tolist()]).toEqual(['float32', [1, 2, 0.5]]);
    expect(() => cat([ag, bg], 1)).toThrow('Sizes of tensors must match except in dimension 1. Expected size 7 but got size 33 for tensor number 1 in the list.');
    expect(() => stack([ag, bg])).toThrow('stack expects each tensor to be equal size, but got [7, 33] at entry 0 and [33, 7] at entry 1');
  });

  it('repeat and flip of odd shapes and views', async () => {
    const [xc, xg] = pair([7, 33], 21, gpu);
    await expectTensorsClose(repeat(xg, [2, 1, 3]), repeat(xc, [2, 1, 3]), 0, 0);
    await expectTensorsClose(xg.t().repeat(1, 2), xc.t().repeat(1, 2), 0, 0);
    expect(await tensor([1, 2], { device: gpu }).repeat(2, 2).tolist()).toEqual([[1, 2, 1, 2], [1, 2, 1, 2]]);
    for (const dims of [[0], [1], [0, 1], [-1]]) await expectTensorsClose(flip(xg, dims), flip(xc, dims), 0, 0);
    await expectTensorsClose(xg.t().slice(0, 1, 30, 2).flip(0, 1), xc.t().slice(0, 1, 30, 2).flip(0, 1), 0, 0);
    const [vc, vg] = pair([257], 22, gpu);
    expect(await values(flip(vg, [0]))).toEqual((await values(vc)).reverse());
    expect(() => flip(xg, [0, -2])).toThrow('dim 0 appears multiple times in the list of dims');
    expect(() => repeat(xg, [2])).toThrow('Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
  });

  it('tril and triu with diagonals, batched', async () => {
    for (const shape of [[33, 7], [7, 33], [3, 7, 7], [1, 1]]) {
      const [xc, xg] = pair(shape, 23, gpu);
      for (const k of [0, 2, -3]) {
        await expectTensorsClose(tril(xg, k), tril(xc, k), 0, 0);
        await expectTensorsClose(triu(xg, k), triu(xc, k), 0, 0);
      }
    }
    expect(await tril(tensor([[1, 2], [3, 4]], { device: gpu })).tolist()).toEqual([[1, 0], [3, 4]]);
    expect(await triu(tensor([[true, true], [true, true]], { device: gpu }), 1).tolist()).toEqual([[false, true], [false, false]]);
    expect(() => tril(tensor([1, 2], { device: gpu }))).toThrow('tril: input tensor must have at least 2 dimensions');
  });

  it('maskedFill with a broadcast mask, a number or a 0-d tensor', async () => {
    const [xc, xg] = pair([7, 33], 24, gpu);
    const [mc, mg] = pair([1, 33], 25, gpu);
    await expectTensorsClose(maskedFill(xg, mg.gt(0), -2), maskedFill(xc, mc.gt(0), -2), 0, 0);
    await expectTensorsClose(xg.t().maskedFill(mg.t().lt(0), tensor(7.5, { device: gpu })), xc.t().maskedFill(mc.t().lt(0), tensor(7.5, { device: 'cpu' })), 0, 0);
    expect(await tensor([1, 2, 3], { device: gpu }).maskedFill(tensor([true, false, true], { device: gpu }), 0).tolist()).toEqual([0, 2, 0]);
    const flags = tensor([true, false], { device: gpu }).maskedFill(tensor([true, true], { device: gpu }), false);
    expect([flags.dtype, await flags.tolist()]).toEqual(['bool', [false, false]]);
    expect(() => maskedFill(xg, mg, 1)).toThrow('masked_fill_ only supports boolean masks, but got mask with dtype float32');
    expect(() => maskedFill(xg, mg.gt(0), tensor([1], { device: gpu }))).toThrow('masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s).');
  });

  it('maskedSelect picks the elements where the (broadcast) mask is true, in order', async () => {
    const [xc, xg] = pair([257], 26, gpu);
    const xs = await values(xc);
    for (const x of [xc, xg]) {
      const picked = await maskedSelect(x, x.gt(0.25));
      expect(await values(picked)).toEqual(xs.filter((v) => v > 0.25));
    }
    const [yc, yg] = pair([7, 33], 27, gpu);
    const [mc, mg] = pair([7, 1], 28, gpu);
    await expectTensorsClose(await yg.t().maskedSelect(mg.t().gt(0)), await yc.t().maskedSelect(mc.t().gt(0)), 0, 0);
    expect((await maskedSelect(yg, yg.gt(2))).shape).toEqual([0]);
    await expect(maskedSelect(yg, yg)).rejects.toThrow('masked_select: expected BoolTensor for mask');
  });
});
