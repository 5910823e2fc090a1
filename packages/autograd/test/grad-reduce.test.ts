import { describe, it } from 'vitest';
import { Generator, amax, expand, logSoftmax, mean, nllLoss, softmax, sum, type Reduction } from '@mini/tensor';
import { distinctInput, expectGradcheck, fmt, randomIndex, randomInput, randomShape } from './helpers.ts';

// gradcheck (float64 central differences, eps 1e-6, atol 1e-5, rtol 1e-3) on random inputs.
const g = new Generator(7);
const SHAPES = [randomShape(g, 1), randomShape(g, 2), randomShape(g, 3), [3, 33]];

describe('gradcheck: sum, mean, amax', () => {
  const reductions = [
    ['sum', sum],
    ['mean', mean],
    ['amax', amax],
  ] as const;
  for (const [name, op] of reductions) {
    for (const shape of SHAPES) {
      // amax is checked on distinct values: at a tie its gradient is split, which differences cannot see.
      const input = (seed: number) => (name === 'amax' ? distinctInput(new Generator(seed), shape) : randomInput(new Generator(seed), shape));
      it(`${name} over all ${fmt(shape)}, keepdim false and true`, async () => {
        await expectGradcheck((x) => op(x), [input(shape.length)]);
        await expectGradcheck((x) => op(x, undefined, true), [input(shape.length + 1)]);
      });
      it(`${name} over each dim ${fmt(shape)}, keepdim false and true, negative dims`, async () => {
        for (let d = 0; d < shape.length; d++) {
          await expectGradcheck((x) => op(x, d), [input(d)]);
          await expectGradcheck((x) => op(x, d, true), [input(d + 10)]);
          await expectGradcheck((x) => op(x, d - shape.length), [input(d + 20)]);
        }
      });
    }
  }

  it('reductions of broadcast and transposed views', async () => {
    const r = new Generator(59);
    await expectGradcheck((x) => x.t().sum(1).mul(x.sum(0)), [randomInput(r, [5, 3])]);
    await expectGradcheck((x) => expand(x, [4, 5, 3]).mean(0), [randomInput(r, [5, 3])]);
  });
});

describe('gradcheck: softmax and logSoftmax', () => {
  for (const [name, op] of [
    ['softmax', softmax],
    ['logSoftmax', logSoftmax],
  ] as const) {
    for (const shape of SHAPES) {
      it(`${name} over each dim ${fmt(shape)}`, async () => {
        for (let d = -1; d < shape.length; d++) {
          await expectGradcheck((x) => op(x, d), [randomInput(new Generator(d + 61), shape, { low: -3, high: 3 })]);
        }
      });
    }
    it(`${name} of a transposed view`, async () => {
      await expectGradcheck((x) => op(x.t(), 1), [randomInput(new Generator(67), [7, 5])]);
    });
  }
});

describe('gradcheck: nllLoss', () => {
  const reductions: Reduction[] = ['mean', 'sum', 'none'];
  for (const [N, C] of [
    [1, 1],
    [7, 3],
    [5, 33],
  ]) {
    for (const reduction of reductions) {
      it(`${reduction} [${N}, ${C}]`, async () => {
        const r = new Generator(N * C);
        const target = randomIndex(r, N, 0, C);
        await expectGradcheck((lp, t) => nllLoss(lp, t, { reduction }), [randomInput(r, [N, C]), target]);
      });
      it(`${reduction} with ignoreIndex [${N + 3}, ${C}]`, async () => {
        const r = new Generator(N + C);
        // Targets in [-1, C): the -1s are ignored (at least one is kept so that the mean is defined).
        const target = randomIndex(r, N + 3, -1, C);
        target.storage.array[0] = 0;
        await expectGradcheck((lp, t) => nllLoss(lp, t, { reduction, ignoreIndex: -1 }), [randomInput(r, [N + 3, C]), target]);
      });
    }
  }

  it('after logSoftmax, on a non-contiguous input', async () => {
    const r = new Generator(71);
    const target = randomIndex(r, 7, 0, 5);
    await expectGradcheck((x, t) => nllLoss(logSoftmax(x.t(), 1), t), [randomInput(r, [5, 7]), target]);
  });
});
