import { describe, expect, it } from 'vitest';
import {
  Generator,
  cat,
  chunk,
  diagonal,
  flip,
  fromArray,
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
  tril,
  triu,
  type Tensor,
} from '@mini/tensor';
import { distinctIndexData } from '../../tensor/test/helpers.ts';
import { expectGradcheck, fmt, randomIndex, randomInput } from './helpers.ts';

// gradcheck (float64 central differences, eps 1e-6, atol 1e-5, rtol 1e-3). Each op's output is
// multiplied by fixed random weights, so that its gradient is not just ones.
function weighted(op: (...xs: Tensor[]) => Tensor, seed: number): (...xs: Tensor[]) => Tensor {
  return (...xs) => {
    const y = op(...xs);
    return y.mul(randomInput(new Generator(seed), y.shape, { requiresGrad: false }));
  };
}

/** A cpu int32 index of `shape` with values in [0, high). */
function index(shape: number[], high: number, seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return randomIndex(new Generator(seed), n, 0, high).reshape(shape);
}

/** A cpu index of `shape`, distinct along dim (see distinctIndexData). */
function distinctIndex(shape: number[], dim: number, size: number, seed: number): Tensor {
  return fromArray(distinctIndexData(shape, dim, size, seed), shape, { device: 'cpu' });
}

const mask = (shape: number[], seed: number) => randomInput(new Generator(seed), shape, { requiresGrad: false }).gt(0);

/** [name, input shapes, op]: every input requires grad. */
const CASES: [string, number[][], (...xs: Tensor[]) => Tensor][] = [
  ['gather dim 1 (repeated indices)', [[3, 5]], (x) => gather(x, 1, index([3, 7], 5, 1))],
  ['gather dim 0 of a transposed view', [[5, 3]], (x) => gather(x.t(), 0, index([2, 5], 3, 2))],
  ['gather dim -1 of 3-D', [[2, 3, 4]], (x) => x.gather(-1, index([2, 2, 6], 4, 3))],
  ['scatter (input and src)', [[4, 5], [3, 5]], (x, s) => scatter(x, 0, distinctIndex([3, 5], 0, 4, 4), s)],
  ['scatter of a number (input)', [[4, 5]], (x) => x.scatter(1, distinctIndex([4, 2], 1, 5, 5), 0.5)],
  ['scatterAdd (input and src, repeated indices)', [[4, 5], [6, 5]], (x, s) => scatterAdd(x, 0, index([6, 5], 4, 6), s)],
  ['scatter reduce add', [[3, 4], [3, 5]], (x, s) => scatter(x, 1, index([3, 5], 4, 7), s, { reduce: 'add' })],
  ['indexSelect dim 0 (repeated indices)', [[5, 3]], (x) => indexSelect(x, 0, randomIndex(new Generator(8), 9, 0, 5))],
  ['indexSelect dim 1 of a 3-D view', [[2, 5, 3]], (x) => indexSelect(x.permute(0, 2, 1), 1, randomIndex(new Generator(9), 4, 0, 3))],
  ['cat dim 0', [[2, 3], [1, 3], [4, 3]], (a, b, c) => cat([a, b, c])],
  ['cat dim 1 of views', [[3, 2], [2, 3]], (a, b) => cat([a, b.t()], 1)],
  ['stack dim 1', [[2, 3], [2, 3]], (a, b) => stack([a, b], 1)],
  ['split by size, pieces recombined', [[7, 2]], (x) => cat(split(x, 3).map((p, i) => p.mul(i + 1)))],
  ['split by sizes, dim 1', [[2, 6]], (x) => { const [a, b] = split(x, [2, 4], 1); return a.sum(1).add(b.sum(1)); }],
  ['chunk', [[5, 3]], (x) => { const [a, , c] = chunk(x, 3); return a.sum(0).mul(c.sum(0)); }],
  ['repeat', [[2, 3]], (x) => repeat(x, [2, 1, 3])],
  ['repeat of a transposed view', [[3, 2]], (x) => x.t().repeat(2, 2)],
  ['flip', [[3, 4]], (x) => flip(x, [0, 1])],
  ['flip one dim of 3-D', [[2, 3, 4]], (x) => x.flip(1)],
  ['tril', [[4, 5]], (x) => tril(x)],
  ['triu batched with diagonal', [[2, 4, 3]], (x) => triu(x, 1)],
  ['tril with a negative diagonal', [[5, 5]], (x) => x.tril(-2)],
  ['maskedFill with a number', [[3, 5]], (x) => maskedFill(x, mask([3, 5], 10), 2)],
  ['maskedFill with a 0-d tensor (both get gradients)', [[3, 5], []], (x, v) => maskedFill(x, mask([1, 5], 11), v)],
  ['select', [[3, 4]], (x) => select(x, 1, -1)],
  ['slice with a step', [[9, 2]], (x) => slice(x, 0, 1, 8, 3)],
  ['slice of dim 1, negative start', [[2, 7]], (x) => x.slice(1, -4)],
  ['diagonal', [[4, 5]], (x) => diagonal(x, 1)],
  ['diagonal of 3-D dims 0 and 2', [[3, 2, 4]], (x) => x.diagonal(-1, 0, 2)],
];

describe('gradcheck: shape and indexing', () => {
  CASES.forEach(([name, shapes, op], i) => {
    it(`${name} ${shapes.map(fmt).join(' ')}`, async () => {
      const g = new Generator(i + 301);
      await expectGradcheck(weighted(op, i), shapes.map((s) => randomInput(g, s)));
    });
  });

  it('maskedSelect sends each picked gradient back to its element', async () => {
    const x = randomInput(new Generator(3), [3, 5]);
    const m = mask([3, 5], 4);
    const w = randomInput(new Generator(5), [15], { requiresGrad: false });
    const picked = await maskedSelect(x, m);
    const flags = Array.from(await m.toArray());
    const weights = Array.from(await w.toArray()).slice(0, picked.numel());
    picked.mul(fromArray(weights, [weights.length], { dtype: 'float64', device: 'cpu' })).sum().backward();
    let k = 0;
    expect(Array.from(await x.grad!.toArray())).toEqual(flags.map((f) => (f ? weights[k++] : 0)));
  });
});
