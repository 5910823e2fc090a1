import { beforeAll, describe, expect, it } from 'vitest';
import { fromArray, logSoftmax, nllLoss, softmax, sum, tensor, type Device, type Reduction, type Tensor } from '@mini/tensor';
import { expectClose, expectTensorsClose, pairOf, randomInts, uniformData, values, webgpu } from './helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

const numel = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

// exp and log on the GPU are a few ulps off the cpu's doubles: rtol 1e-5, atol 1e-6.
describe('logSoftmax and softmax on webgpu match the cpu reference (rtol 1e-5, atol 1e-6)', () => {
  const shapes: number[][] = [[1], [7], [33], [257], [784], [19, 70], [1, 10], [257, 10], [3, 257, 2], [4, 5, 33]];
  for (const shape of shapes) {
    it(`shape [${shape}] over every dim`, async () => {
      const [c, g] = pairOf(uniformData(numel(shape), shape.length * 31 + shape[0], -5, 5), shape, gpu);
      for (let dim = -1; dim < shape.length; dim++) {
        await expectTensorsClose(logSoftmax(g, dim), logSoftmax(c, dim), 1e-5, 1e-6);
        await expectTensorsClose(softmax(g, dim), softmax(c, dim), 1e-5, 1e-6);
      }
    });
  }

  it('is stable for large inputs and sums to one', async () => {
    const data = uniformData(6 * 50, 3, -1, 1).map((v) => v * 200 + 500);
    const [c, g] = pairOf(data, [6, 50], gpu);
    for (const x of [c, g]) {
      const p = softmax(x, 1);
      expectClose(await values(sum(p, 1)), new Array(6).fill(1), 1e-5, 0);
      const lp = await values(logSoftmax(x, 1));
      expect(lp.every(Number.isFinite)).toBe(true);
      expect(Math.max(...lp)).toBeLessThanOrEqual(0);
    }
    await expectTensorsClose(logSoftmax(g, 1), logSoftmax(c, 1), 1e-5, 1e-5);
  });

  it('matches log(sum(exp)) worked out in JS for one row', async () => {
    const row = [1, 2, 3, -4];
    const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    for (const device of ['cpu', gpu] as const) {
      expectClose(await values(logSoftmax(tensor(row, { device }).float(), 0)), row.map((v) => v - lse), 1e-6, 1e-6);
    }
  });

  it('reads strided and offset inputs', async () => {
    const [c, g] = pairOf(uniformData(8 * 12, 5, -3, 3), [8, 12], gpu);
    const views: ((x: Tensor) => Tensor)[] = [(x) => logSoftmax(x.t(), 1), (x) => softmax(x.narrow(0, 3, 4), 1), (x) => logSoftmax(x.narrow(1, 2, 9), 0)];
    for (const f of views) await expectTensorsClose(f(g), f(c), 1e-5, 1e-6);
  });

  it('raises for integer inputs and bad dims', () => {
    const x = tensor([[1, 2]], { device: gpu });
    expect(() => logSoftmax(x, 1)).toThrow('logSoftmax: expected input of dtype float32 or float64, found int32');
    expect(() => softmax(x.float(), 2)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
  });
});

/** The loss worked out in JS: the mean/sum/list of −logp[n, t[n]] over targets that are not ignored. */
function referenceNll(logp: Float32Array, C: number, targets: Int32Array, reduction: Reduction, ignore: number): number[] {
  const losses = Array.from(targets, (t, n) => (t === ignore ? 0 : -logp[n * C + t]));
  const kept = Array.from(targets).filter((t) => t !== ignore).length;
  const total = losses.reduce((a, b) => a + b, 0);
  return reduction === 'none' ? losses : [reduction === 'sum' ? total : total / kept];
}

describe('nllLoss', () => {
  const C = 10;
  for (const N of [1, 7, 33, 257, 784]) {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      it(`N ${N}, reduction ${reduction}, with ignored targets: both devices match the JS reference (rtol 1e-5)`, async () => {
        const logp = uniformData(N * C, N, -5, 0);
        const targets = randomInts(N, N + 1, 0, C);
        for (let n = 3; n < N; n += 5) targets[n] = -100;
        const [lc, lg] = pairOf(logp, [N, C], gpu);
        const [tc, tg] = pairOf(targets, [N], gpu);
        const expected = referenceNll(logp, C, targets, reduction, -100);
        for (const loss of [nllLoss(lc, tc, { reduction }), nllLoss(lg, tg, { reduction })]) {
          expect(loss.shape).toEqual(reduction === 'none' ? [N] : []);
          expectClose(await loss.toArray(), expected, 1e-5, 1e-6);
        }
      });
    }
  }

  it('honours a custom ignoreIndex inside [0, C)', async () => {
    const logp = uniformData(20 * 4, 2, -3, 0);
    const targets = randomInts(20, 3, 0, 4);
    const [lc, lg] = pairOf(logp, [20, 4], gpu);
    const [tc, tg] = pairOf(targets, [20], gpu);
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const expected = referenceNll(logp, 4, targets, reduction, 2);
      expectClose(await nllLoss(lc, tc, { reduction, ignoreIndex: 2 }).toArray(), expected, 1e-5, 1e-6);
      expectClose(await nllLoss(lg, tg, { reduction, ignoreIndex: 2 }).toArray(), expected, 1e-5, 1e-6);
    }
  });

  it('gives NaN for a mean over targets that are all ignored, as PyTorch does', async () => {
    for (const device of ['cpu', gpu] as const) {
      const logp = fromArray([-1, -2, -3, -4], [2, 2], { device });
      const targets = fromArray(Int32Array.from([-100, -100]), [2], { device });
      expect(await nllLoss(logp, targets).item()).toBeNaN();
      expect(await nllLoss(logp, targets, { reduction: 'sum' }).item()).toBe(0);
    }
  });

  it('reads strided log-probabilities and strided targets', async () => {
    const logp = uniformData(12 * 6, 4, -4, 0);
    const targets = randomInts(24, 5, 0, 6);
    const [lc, lg] = pairOf(logp, [6, 12], gpu);
    const [tc, tg] = pairOf(targets, [12, 2], gpu);
    for (const reduction of ['mean', 'none'] as const) {
      const f = (l: Tensor, t: Tensor) => nllLoss(l.t(), t.t().narrow(0, 1, 1).reshape(12), { reduction });
      await expectTensorsClose(f(lg, tg), f(lc, tc), 1e-5, 1e-6);
      const picked = Int32Array.from({ length: 12 }, (_, n) => targets[n * 2 + 1]);
      const transposed = Float32Array.from({ length: 72 }, (_, i) => logp[(i % 6) * 12 + Math.floor(i / 6)]);
      expectClose(await f(lg, tg).toArray(), referenceNll(transposed, 6, picked, reduction, -100), 1e-5, 1e-6);
    }
  });

  it('its recorded backward reads a broadcast or offset output gradient on both devices', async () => {
    const targets = Int32Array.from([4, 0, -100, 2, 1, 3, 4]);
    for (const device of ['cpu', gpu] as const) {
      const logp = fromArray(uniformData(7 * 5, 8, -3, 0), [7, 5], { device }).requiresGrad_();
      const t = fromArray(targets, [7], { device });
      const expected = (g: (n: number) => number) =>
        Array.from({ length: 35 }, (_, i) => (targets[Math.floor(i / 5)] === i % 5 ? -g(Math.floor(i / 5)) : 0));
      const none = nllLoss(logp, t, { reduction: 'none' });
      const broadcast = fromArray([2], [1], { device }).expand([7]);
      expect(await values(none.gradFn!.apply(broadcast)[0]!)).toEqual(expected(() => 2));
      const offset = fromArray([9, 1, 2, 3, 4, 5, 6, 7], [8], { device }).narrow(0, 1, 7);
      expect(await values(none.gradFn!.apply(offset)[0]!)).toEqual(expected((n) => n + 1));
      const mean = nllLoss(logp, t);
      expectClose(await values(mean.gradFn!.apply(fromArray([3], [], { device }))[0]!), expected(() => 3 / 6), 1e-6, 0);
    }
  });

  it('raises an error naming a target outside [0, C) on cpu at once and on webgpu at the next readback', async () => {
    const logp = uniformData(5 * 3, 6, -3, 0);
    const targets = Int32Array.from([0, 2, 7, 1, 0]);
    const [lc, lg] = pairOf(logp, [5, 3], gpu);
    const [tc, tg] = pairOf(targets, [5], gpu);
    expect(() => nllLoss(lc, tc)).toThrow('Target 7 is out of bounds');
    const loss = nllLoss(lg, tg);
    await expect(loss.item()).rejects.toThrow('Target 7 is out of bounds');
    // The check is cleared once reported: the next readback is clean.
    const fine = nllLoss(lg, fromArray(Int32Array.from([0, 2, 1, 1, 0]), [5], { device: gpu }));
    expectClose([await fine.item()], referenceNll(logp, 3, Int32Array.from([0, 2, 1, 1, 0]), 'mean', -100), 1e-5, 1e-6);
    const negative = fromArray(Int32Array.from([0, -3, 1, 1, 0]), [5], { device: gpu });
    await expect(nllLoss(lg, negative, { reduction: 'none' }).toArray()).rejects.toThrow('Target -3 is out of bounds');
    expect(() => nllLoss(lc, fromArray(Int32Array.from([0, -3, 1, 1, 0]), [5], { device: 'cpu' }))).toThrow('Target -3 is out of bounds');
  });

  it('raises before dispatch for float targets, a batch mismatch, bad ranks and an unknown reduction', () => {
    const logp = fromArray(uniformData(6, 1, -2, 0), [3, 2], { device: gpu });
    const before = gpu.gpu.dispatchCount;
    expect(() => nllLoss(logp, fromArray([0, 1, 1], [3], { device: gpu }))).toThrow('nllLoss: expected target of dtype int32, found float32');
    expect(() => nllLoss(logp, fromArray(Int32Array.from([0, 1]), [2], { device: gpu }))).toThrow(
      'Expected input batch_size (3) to match target batch_size (2).',
    );
    expect(() => nllLoss(logp.reshape(6), fromArray(Int32Array.from([0]), [1], { device: gpu }))).toThrow('nllLoss: expected input [N, C]');
    expect(() => nllLoss(logp, fromArray(Int32Array.from([0, 1, 1]), [3], { device: gpu }), { reduction: 'foo' as Reduction })).toThrow(
      'foo is not a valid value for reduction',
    );
    expect(() => nllLoss(logp, fromArray(Int32Array.from([0, 1, 1]), [3], { device: 'cpu' }))).toThrow(
      'Expected all tensors to be on the same device, but found at least two devices, webgpu and cpu!',
    );
    expect(gpu.gpu.dispatchCount).toBe(before);
  });
});
