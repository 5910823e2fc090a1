import { describe, expect, it } from 'vitest';
import { Generator, amax, amin, cumsum, fromArray, logsumexp, max, mean, min, norm, prod, sort, std, sum, topk, variance, type Tensor } from '@mini/tensor';
import { distinctInput, expectGradcheck, fmt, randomInput } from './helpers.ts';

// gradcheck (float64 central differences) of the reductions beyond sum, mean and amax.
const SHAPES = [[7], [3, 5], [2, 3, 4]];
const g = new Generator(101);

/** Every dim, two dims at once (where there are), and all. */
function dimChoices(ndim: number): (number | number[] | undefined)[] {
  return [undefined, ...Array.from({ length: ndim }, (_, d) => d), ...(ndim > 1 ? [[0, ndim - 1]] : [])];
}

describe('gradcheck: reductions over one dim, several, or all', () => {
  const ops: [string, (x: Tensor, dim: number | number[] | undefined, keepdim: boolean) => Tensor, boolean][] = [
    // Name, op, and whether the input must have distinct values (no ties, which differences cannot see).
    ['sum', (x, d, k) => sum(x, d, k), false],
    ['mean', (x, d, k) => mean(x, d, k), false],
    ['amax', (x, d, k) => amax(x, d, k), true],
    ['amin', (x, d, k) => amin(x, d, k), true],
    ['var', (x, d, k) => variance(x, d, { keepdim: k }), false],
    ['var correction 0', (x, d, k) => variance(x, d, { correction: 0, keepdim: k }), false],
    ['std unbiased false', (x, d, k) => std(x, d, false, k), false],
    ['norm 2', (x, d, k) => norm(x, 2, d, k), false],
    ['norm 1', (x, d, k) => norm(x, 1, d, k), true],
    ['norm inf', (x, d, k) => norm(x, Infinity, d, k), true],
    ['norm -inf', (x, d, k) => norm(x, -Infinity, d, k), true],
    ['norm 3', (x, d, k) => norm(x, 3, d, k), true],
    ['norm 1.5', (x, d, k) => norm(x, 1.5, d, k), true],
    ['logsumexp', (x, d, k) => logsumexp(x, d ?? [], k), false],
  ];
  for (const [name, op, distinct] of ops) {
    for (const shape of SHAPES) {
      it(`${name} ${fmt(shape)}`, async () => {
        for (const dim of dimChoices(shape.length)) {
          for (const keepdim of [false, true]) {
            // Distinct inputs keep |x| away from 0 too (for the norms' kinks).
            const x = distinct ? distinctInput(g, shape) : randomInput(g, shape, { awayFromZero: 0.1 });
            await expectGradcheck((t) => op(t, dim, keepdim), [x]);
          }
        }
      });
    }
  }
});

describe('gradcheck: ops over one dim', () => {
  const ops: [string, (x: Tensor, dim: number) => Tensor][] = [
    ['max(dim).values', (x, d) => max(x, d).values],
    ['min(dim).values, keepdim', (x, d) => min(x, d, true).values],
    ['prod', (x, d) => prod(x, d)],
    ['cumsum', (x, d) => cumsum(x, d)],
    ['sort values', (x, d) => sort(x, d).values],
    ['sort descending values', (x, d) => sort(x, d, true).values],
    ['topk values', (x, d) => topk(x, Math.min(2, x.shape.at(d)!), d).values],
    ['topk smallest values', (x, d) => topk(x, 1, d, false).values],
  ];
  for (const [name, op] of ops) {
    for (const shape of SHAPES) {
      it(`${name} ${fmt(shape)} along every dim`, async () => {
        for (let d = -1; d < shape.length; d++) await expectGradcheck((t) => op(t, d), [distinctInput(g, shape)]);
      });
    }
  }

  it('prod over all, and with zeros in a slice (one zero: the product of the others; two: 0)', async () => {
    await expectGradcheck((t) => prod(t), [distinctInput(g, [2, 3])]);
    const zeros = fromArray([0, 2, 3, 0, 0, 5, 1.5, -2, 0.5], [3, 3], { dtype: 'float64', device: 'cpu', requiresGrad: true });
    await expectGradcheck((t) => prod(t, 1), [zeros]);
    prod(zeros, 1).sum().backward();
    expect(Array.from(await zeros.grad!.toArray())).toEqual([6, 0, 0, 0, 0, 0, -1, 0.75, -3]);
  });

  it('max(dim) sends the gradient to its index only; amax shares it among ties', async () => {
    const x = fromArray([1, 3, 3, 2], [2, 2], { dtype: 'float64', device: 'cpu', requiresGrad: true });
    max(x, 1).values.sum().backward();
    expect(Array.from(await x.grad!.toArray())).toEqual([0, 1, 1, 0]);
    x.grad = null;
    amax(x.reshape(4)).backward();
    expect(Array.from(await x.grad!.toArray())).toEqual([0, 0.5, 0.5, 0]);
    x.grad = null;
    max(x).backward();
    expect(Array.from(await x.grad!.toArray())).toEqual([0, 0.5, 0.5, 0]);
  });

  it('norm 2 has gradient 0 at 0, as in PyTorch', async () => {
    const x = fromArray([0, 0], [2], { dtype: 'float64', device: 'cpu', requiresGrad: true });
    norm(x).backward();
    expect(Array.from(await x.grad!.toArray())).toEqual([0, 0]);
  });
});
