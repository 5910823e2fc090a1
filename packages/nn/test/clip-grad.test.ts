import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { device, fromArray, init, type Tensor } from '@mini/tensor';
import { testing } from '@mini/tensor/internal';
import { nn } from '@mini/nn';

/** Written by scripts/fixtures/optim_fixtures.py with PyTorch 1.13: the first step's gradients, clipped. */
interface ClipFixture {
  shapes: Record<string, number[]>;
  grads: Record<string, number[]>[];
  configs: { name: string; fn: 'clipGradNorm_' | 'clipGradValue_'; args: (number | 'Infinity')[]; grads: Record<string, number[]>; totalNorm?: number }[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/clip_grad.json', import.meta.url), 'utf8')) as ClipFixture;

beforeAll(async () => {
  await init('webgpu');
});

function paramsWithGrads(dev: 'cpu' | 'webgpu'): Tensor[] {
  return Object.entries(fixture.shapes).map(([name, shape]) => {
    const p = fromArray(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape, { device: dev, requiresGrad: true });
    p.grad = fromArray(fixture.grads[0][name], shape, { device: dev });
    return p;
  });
}

describe.each(['cpu', 'webgpu'] as const)('nn.utils clipping matches PyTorch on %s (relative error <= 1e-6)', (dev) => {
  for (const config of fixture.configs) {
    it(config.name, async () => {
      const params = paramsWithGrads(dev);
      const args = config.args.map((a) => (a === 'Infinity' ? Infinity : a));
      if (config.fn === 'clipGradNorm_') {
        const norm = nn.utils.clipGradNorm_(params, args[0], args[1]);
        expect(norm.shape).toEqual([]);
        expect(Math.abs((await norm.item()) - config.totalNorm!)).toBeLessThanOrEqual(1e-6 * config.totalNorm!);
      } else {
        expect(config.fn).toBe('clipGradValue_');
        expect(nn.utils.clipGradValue_(params, args[0])).toBeUndefined();
      }
      const names = Object.keys(fixture.shapes);
      for (const [i, p] of params.entries()) {
        const error = testing.relativeError(await p.grad!.toArray(), config.grads[names[i]]);
        expect(error, `${names[i]}: ${error}`).toBeLessThanOrEqual(1e-6);
      }
    });
  }
});

describe('clipGradNorm_', () => {
  it('reads nothing back and returns the norm as a tensor', async () => {
    const gpu = device('webgpu').gpu;
    const params = paramsWithGrads('webgpu');
    const read = vi.spyOn(gpu, 'read');
    const dispatches = gpu.dispatchCount;
    const norm = nn.utils.clipGradNorm_(params, 1);
    expect(read).not.toHaveBeenCalled();
    expect(gpu.dispatchCount).toBeGreaterThan(dispatches);
    expect(norm.device.type).toBe('webgpu');
    expect(await norm.item()).toBeCloseTo(fixture.configs[0].totalNorm!, 5);
    expect(read).toHaveBeenCalledTimes(1);
    read.mockRestore();
  });

  it('with errorIfNonfinite, throws on a non-finite norm and leaves the gradients alone', async () => {
    const p = fromArray([0, 0], [2], { device: 'cpu', requiresGrad: true });
    p.grad = fromArray([Infinity, 1], [2], { device: 'cpu' });
    await expect(nn.utils.clipGradNorm_([p], 1, 2, { errorIfNonfinite: true })).rejects.toThrow(
      'The total norm of order 2 for gradients from `parameters` is non-finite, so it cannot be clipped.',
    );
    expect(Array.from(await p.grad.toArray())).toEqual([Infinity, 1]);
    p.grad = fromArray([3, 4], [2], { device: 'cpu' });
    expect(await (await nn.utils.clipGradNorm_(p, 1, 2, { errorIfNonfinite: true })).item()).toBeCloseTo(5, 6);
    expect(Array.from(await p.grad.toArray()).map((v) => Number(v.toFixed(5)))).toEqual([0.6, 0.8]);
  });

  it('skips parameters without gradients, returns 0 when none has one, and rejects bad arguments', async () => {
    const [a, b] = [fromArray([1], [1], { device: 'cpu', requiresGrad: true }), fromArray([1], [1], { device: 'cpu', requiresGrad: true })];
    expect(await nn.utils.clipGradNorm_([a, b], 1).item()).toBe(0);
    a.grad = fromArray([-2], [1], { device: 'cpu' });
    expect(await nn.utils.clipGradNorm_([a, b], 1, Infinity).item()).toBe(2);
    expect(b.grad).toBeNull();
    expect(() => nn.utils.clipGradNorm_([a], 1, 0)).toThrow('normType must be a positive number or Infinity, found 0');
    expect(() => nn.utils.clipGradNorm_([a], 1, 2, { foreach: true } as never)).toThrow("clip_grad_norm_() got an unexpected keyword argument 'foreach'");
  });
});
