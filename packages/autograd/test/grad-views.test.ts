import { describe, it } from 'vitest';
import { Generator, clone, contiguous, expand, flatten, narrow, permute, reshape, squeeze, transpose, unsqueeze, view, type Tensor } from '@mini/tensor';
import { expectGradcheck, fmt, randomInput } from './helpers.ts';

// gradcheck (float64 central differences, eps 1e-6, atol 1e-5, rtol 1e-3). Each view is followed by
// a product with fixed random weights, so that its gradient is not just ones, and by a clone, so
// that the output is a fresh contiguous tensor.
function weighted(op: (x: Tensor) => Tensor, seed: number): (x: Tensor) => Tensor {
  return (x) => {
    const y = op(x);
    const w = randomInput(new Generator(seed), y.shape, { requiresGrad: false });
    return y.mul(w).clone();
  };
}

const CASES: [string, number[], (x: Tensor) => Tensor][] = [
  ['reshape', [3, 5], (x) => reshape(x, [5, 3])],
  ['reshape with -1', [2, 3, 7], (x) => x.reshape(-1, 7)],
  ['reshape of a transposed view (a copy)', [3, 5], (x) => reshape(x.t(), [15])],
  ['view', [2, 3, 5], (x) => view(x, [6, 5])],
  ['view of a narrowed view', [4, 7], (x) => view(x.narrow(0, 1, 2), [2, 7, 1])],
  ['transpose', [3, 5], (x) => transpose(x, 0, 1)],
  ['transpose of dims 0 and 2', [2, 3, 5], (x) => transpose(x, 0, -1)],
  ['permute', [2, 3, 5], (x) => permute(x, [2, 0, 1])],
  ['permute with negative dims', [2, 3, 5], (x) => x.permute(-1, 1, 0)],
  ['narrow', [7, 5], (x) => narrow(x, 0, 2, 3)],
  ['narrow of dim 1, negative start', [3, 7], (x) => narrow(x, 1, -4, 3)],
  ['narrow twice (overlapping)', [9], (x) => narrow(x, 0, 1, 5).add(narrow(x, 0, 3, 5))],
  ['expand', [3, 1], (x) => expand(x, [3, 5])],
  ['expand with new leading dims', [1, 5], (x) => expand(x, [2, 3, 5])],
  ['squeeze a dim', [3, 1, 5], (x) => squeeze(x, 1)],
  ['squeeze all', [1, 3, 1, 5, 1], (x) => squeeze(x)],
  ['squeeze a dim that is not 1 (a no-op)', [3, 5], (x) => squeeze(x, 0)],
  ['unsqueeze', [3, 5], (x) => unsqueeze(x, 1)],
  ['unsqueeze at the end', [3, 5], (x) => unsqueeze(x, -1)],
  ['flatten', [2, 3, 5], (x) => flatten(x)],
  ['flatten dims 1..2', [2, 3, 5, 1], (x) => flatten(x, 1, 2)],
  ['clone', [3, 33], (x) => clone(x)],
  ['contiguous of a transposed view', [3, 7], (x) => contiguous(x.t())],
  ['contiguous of a contiguous tensor (a no-op)', [7], (x) => contiguous(x)],
  ['slice', [7, 3], (x) => x.slice(0, 2, 5)],
  ['T of a 3-D tensor', [2, 3, 5], (x) => x.T],
];

describe('gradcheck: views and copies', () => {
  CASES.forEach(([name, shape, op], i) => {
    it(`${name} ${fmt(shape)}`, async () => {
      await expectGradcheck(weighted(op, i), [randomInput(new Generator(i + 89), shape)]);
    });
  });

  it('an identity view returned unchanged (squeeze of a dim that is not 1)', async () => {
    await expectGradcheck((x) => squeeze(x, 0), [randomInput(new Generator(97), [3, 5])]);
  });

  it('a chain of views into a reduction', async () => {
    await expectGradcheck((x) => x.t().reshape(5, 2, 3).permute(2, 0, 1).narrow(1, 1, 3).flatten(1).unsqueeze(0).sum(2), [randomInput(new Generator(101), [6, 5])]);
  });
});
