import { beforeAll, describe, expect, it } from 'vitest';
import { fromArray, init, type Device, type Tensor } from '@mini/tensor';
import { F, nn } from '@mini/nn';
import { backwardWith, both, expectGradcheck, expectSame, expectValues, FIXTURES, load, randomLeaf, targets, type Values } from './layer-fixtures.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await init('webgpu');
});

function run(fn: string, x: Tensor, options: Record<string, unknown>): Tensor {
  const { kernelSize, outputSize, ...rest } = options as { kernelSize: number; outputSize: number };
  if (fn === 'adaptive_avg_pool2d') return F.adaptiveAvgPool2d(x, outputSize);
  return fn === 'max_pool2d' ? F.maxPool2d(x, kernelSize, rest) : F.avgPool2d(x, kernelSize, rest);
}

describe('pooling against PyTorch', () => {
  for (const t of targets(() => gpu)) {
    for (const c of FIXTURES.pool) {
      it(`${c.name} (${c.fn}) on ${t.dtype === 'float64' ? 'cpu' : 'webgpu'}: output, input gradient${c.indices ? ', indices' : ''}`, async () => {
        const x = load(c.input, t, true);
        const out = run(c.fn as string, x, c.options);
        await expectValues(out, c.output, t, 'output');
        backwardWith(out, c.upstream, t);
        await expectValues(x.grad!, c.grads.input, t, 'input grad');
        if (c.indices) {
          const { kernelSize, ...rest } = c.options as { kernelSize: number };
          const [, indices] = F.maxPool2d(x, kernelSize, { ...rest, returnIndices: true });
          expect(indices.dtype).toBe('int32');
          expect(Array.from(await indices.toArray())).toEqual((c.indices as Values).data);
        }
      });
    }
  }
});

/** Distinct values (no ties within the finite differences' step), seeded. */
function distinct(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => Math.sin(seed + a * 12.9898) - Math.sin(seed + b * 12.9898));
  const data = Float64Array.from(order, (r) => (r - n / 2) * 0.1);
  return fromArray(data, shape, { dtype: 'float64', device: 'cpu', requiresGrad: true });
}

describe('pooling gradcheck (float64, cpu)', () => {
  it('max pooling with overlap, padding, dilation and ceil mode', async () => {
    await expectGradcheck((x) => F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }), [distinct([2, 2, 6, 7], 1)]);
    await expectGradcheck((x) => F.maxPool2d(x, [2, 2], { stride: 1, dilation: [2, 1] }), [distinct([1, 2, 5, 4], 2)]);
  });
  it('average pooling with padding, either count_include_pad, ceil mode, divisor_override', async () => {
    await expectGradcheck((x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [randomLeaf([2, 2, 6, 7], 3)]);
    await expectGradcheck((x) => F.avgPool2d(x, [3, 2], { stride: [1, 2], padding: 1, divisorOverride: 5 }), [randomLeaf([1, 2, 5, 5], 4)]);
  });
  it('adaptive average pooling with uneven windows', async () => {
    await expectGradcheck((x) => F.adaptiveAvgPool2d(x, [3, null]), [randomLeaf([2, 2, 7, 4], 5)]);
  });
});

describe('pool kernels against the CPU reference', () => {
  const cases: [string, number[], (x: Tensor) => Tensor][] = [
    ['max 1x1', [1, 1, 1, 1], (x) => F.maxPool2d(x, 1)],
    ['max 3/2 padded, ceil', [3, 7, 33, 9], (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true })],
    // No padding, but ceil mode's last windows overhang the input: the forward keeps its bounds tests.
    ['max 2 unpadded, ceil, odd sizes', [2, 3, 7, 9], (x) => F.maxPool2d(x, 2, { ceilMode: true })],
    ['max dilated', [2, 3, 17, 19], (x) => F.maxPool2d(x, [2, 3], { dilation: [3, 1], stride: [1, 2] })],
    ['avg 257 rows', [1, 2, 257, 3], (x) => F.avgPool2d(x, [5, 2], { stride: [3, 1], padding: [2, 1], countIncludePad: false, ceilMode: true })],
    ['adaptive 33 to 7', [2, 3, 33, 17], (x) => F.adaptiveAvgPool2d(x, [7, 5])],
    ['max over a permuted view', [2, 5, 6, 7], (x) => F.maxPool2d(x.permute(0, 3, 2, 1), 2)],
    // Windows that tile the input (the backward writes each window from its output).
    ['max 2 tiling 28x28', [3, 6, 28, 28], (x) => F.maxPool2d(x, 2)],
    ['max 3x1 tiling 33x7', [1, 7, 33, 7], (x) => F.maxPool2d(x, [3, 1])],
    ['max 2 tiling, with ties (relu zeros)', [3, 3, 14, 10], (x) => F.maxPool2d(F.relu(x), 2)],
  ];
  for (const [name, shape, fn] of cases) {
    it(name, async () => {
      const [xc, xg] = both(shape, 1, gpu);
      const [oc, og] = [fn(xc), fn(xg)];
      await expectSame(oc, og, 'output', 1e-5);
      const [uc, ug] = both(oc.shape as number[], 2, gpu);
      oc.backward(uc.detach());
      og.backward(ug.detach());
      await expectSame(xc.grad!, xg.grad!, 'input grad', 1e-5);
    });
  }
});

describe('nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d', () => {
  it('print and run as PyTorch', async () => {
    const x = fromArray(Float32Array.from({ length: 2 * 3 * 8 * 8 }, (_, i) => Math.cos(i)), [2, 3, 8, 8]);
    const max = new nn.MaxPool2d(2);
    expect(max.toString()).toBe('MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)');
    expect((max.call(x) as Tensor).shape).toEqual([2, 3, 4, 4]);
    const [out, indices] = new nn.MaxPool2d(2, { returnIndices: true }).call(x) as [Tensor, Tensor];
    expect(indices.shape).toEqual(out.shape);
    const avg = new nn.AvgPool2d([3, 2], { stride: 1, padding: 1 });
    expect(avg.toString()).toBe('AvgPool2d(kernel_size=(3, 2), stride=1, padding=1)');
    expect(avg.call(x).shape).toEqual([2, 3, 8, 9]);
    const adaptive = new nn.AdaptiveAvgPool2d([null, 2]);
    expect(adaptive.toString()).toBe('AdaptiveAvgPool2d(output_size=(None, 2))');
    expect(adaptive.call(x).shape).toEqual([2, 3, 8, 2]);
  });
  it("refuses what PyTorch refuses, in PyTorch's words", () => {
    const x = fromArray(new Float32Array(2 * 3 * 4 * 4), [2, 3, 4, 4]);
    expect(() => F.maxPool2d(x, 3, { padding: 2 })).toThrow('pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and dilation=1');
    expect(() => F.avgPool2d(x, 2, { padding: 2 })).toThrow('pad should be smaller than or equal to half of kernel size');
    expect(() => F.maxPool2d(x, 5)).toThrow('Given input size: (3x4x4). Calculated output size: (3x0x0). Output size is too small');
    expect(() => F.maxPool2d(x.flatten(0, 1), 2, { stride: 0 })).toThrow('stride should be greater than zero');
    expect(() => F.avgPool2d(x, 2, { divisorOverride: 0 })).toThrow('divisor must be not zero');
    expect(() => F.maxPool2d(x.flatten(), 2)).toThrow('Expected 3D (unbatched) or 4D (batched) input to max_pool2d, but got input of size: [96]');
    expect(() => F.avgPool2d(x, 2, { count_include_pad: false } as object)).toThrow("avg_pool2d() got an unexpected keyword argument 'count_include_pad'");
    expect(() => new nn.MaxPool2d(2, { ceil: true } as object)).toThrow("MaxPool2d() got an unexpected keyword argument 'ceil'");
  });
});
