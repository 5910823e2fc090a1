import { beforeAll, describe, expect, it } from 'vitest';
import { matmul, linear, type Device } from '@mini/tensor';
import { expectTensorsClose, pair, webgpu } from './helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

// Sizes that are not multiples of the 64×64 tile, and ThreeNet's own.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [7, 33, 5],
  [33, 7, 257],
  [65, 64, 63],
  [257, 31, 70],
  [256, 784, 200],
];

describe('matmul on webgpu matches the cpu reference (rtol 1e-4, atol 1e-5)', () => {
  for (const [M, K, N] of SHAPES) {
    it(`${M}x${K} · ${K}x${N}`, async () => {
      const [ac, ag] = pair([M, K], M * 7 + K, gpu);
      const [bc, bg] = pair([K, N], N * 13 + K, gpu);
      await expectTensorsClose(matmul(ag, bg), matmul(ac, bc), 1e-4, 1e-5);
    });
  }

  it('reads transposed operands without a copy', async () => {
    const [ac, ag] = pair([33, 7], 1, gpu);
    const [bc, bg] = pair([65, 33], 2, gpu);
    const ref = matmul(ac.t(), bc.t());
    await expectTensorsClose(matmul(ag.t(), bg.t()), ref, 1e-4, 1e-5);
    expect(ag.t().isContiguous()).toBe(false);
  });

  it('fuses bias and ReLU in linear', async () => {
    const [xc, xg] = pair([37, 50], 3, gpu);
    const [wc, wg] = pair([19, 50], 4, gpu);
    const [bc, bg] = pair([19], 5, gpu);
    await expectTensorsClose(linear(xg, wg, bg, true), linear(xc, wc, bc, true), 1e-4, 1e-5);
    await expectTensorsClose(linear(xg, wg, bg), matmul(xc, wc.t()).add(bc), 1e-4, 1e-5);
  });

  it("raises PyTorch's error for shapes that cannot be multiplied", () => {
    const [a] = pair([256, 784], 1, gpu);
    const [b] = pair([200, 60], 2, gpu);
    expect(() => matmul(a, b)).toThrow('mat1 and mat2 shapes cannot be multiplied (256x784 and 200x60)');
  });
});
