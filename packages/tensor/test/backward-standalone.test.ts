import { expect, it } from 'vitest';
// Only @mini/tensor: the engine is part of it, with no import to run for its side effect.
import { autograd, fromArray, noGrad } from '@mini/tensor';

it('backward(), autograd.grad and noGrad work with @mini/tensor alone', async () => {
  const x = fromArray([1, 2, 3], [3], { device: 'cpu', requiresGrad: true });
  x.mul(x).sum().backward();
  expect(Array.from(await x.grad!.toArray())).toEqual([2, 4, 6]);
  const [g] = autograd.grad(x.mul(3).sum(), [x]);
  expect(Array.from(await g!.toArray())).toEqual([3, 3, 3]);
  expect(noGrad(() => x.mul(2)).requiresGrad).toBe(false);
});
