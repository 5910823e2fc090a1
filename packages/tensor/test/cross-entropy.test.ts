import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, fromArray, logSoftmax, nllLoss, type Device, type Reduction, type Tensor } from '@mini/tensor';
import { expectClose, expectTensorsClose, pairOf, randomInts, uniformData, values, webgpu } from './helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

/** The unfused composition on the same device: nllLoss(logSoftmax(x, 1), t). */
function composed(x: Tensor, t: Tensor, reduction: Reduction, ignoreIndex = -100): Tensor {
  return nllLoss(logSoftmax(x, 1), t, { reduction, ignoreIndex });
}

/** d loss / d x through the recorded backward of each op, for an output gradient g. */
function gradient(loss: Tensor, g: Tensor): Tensor {
  let grad = g;
  for (let node = loss.gradFn; node; ) {
    const input = node.inputs.find((i) => i !== null)!;
    grad = node.apply(grad)[node.inputs.indexOf(input)]!;
    node = input.gradFn;
  }
  return grad;
}

function outputGradient(reduction: Reduction, N: number, device: Device | 'cpu'): Tensor {
  return reduction === 'none' ? fromArray(uniformData(N, N + 5, -2, 2), [N], { device }) : fromArray([1.5], [], { device });
}

// Logits in [-8, 8]; exp and log on the GPU are a few ulps off the cpu's doubles.
const RTOL = 1e-5;
const ATOL = 1e-5;

describe(`crossEntropy equals nllLoss(logSoftmax(x, 1)) on cpu and webgpu (rtol ${RTOL}, atol ${ATOL})`, () => {
  const shapes: [number, number][] = [
    [1, 1],
    [7, 10],
    [33, 7],
    [257, 10],
    [19, 70],
    [5, 784],
  ];
  for (const [N, C] of shapes) {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      it(`[${N}, ${C}], reduction ${reduction}, with ignored targets: forward and backward`, async () => {
        const logits = uniformData(N * C, N * 31 + C, -8, 8);
        const targets = randomInts(N, N + C, 0, C);
        for (let n = 3; n < N; n += 4) targets[n] = -100;
        const [xc, xg] = pairOf(logits, [N, C], gpu);
        const [tc, tg] = pairOf(targets, [N], gpu);
        xc.requiresGrad_();
        xg.requiresGrad_();
        const reference = composed(xc, tc, reduction);
        const referenceGrad = gradient(reference, outputGradient(reduction, N, 'cpu'));
        for (const [x, t, device] of [[xc, tc, 'cpu'], [xg, tg, gpu]] as const) {
          const loss = crossEntropy(x, t, { reduction });
          expect(loss.gradFn?.name).toBe('CrossEntropyLoss');
          await expectTensorsClose(loss, reference, RTOL, ATOL);
          await expectTensorsClose(gradient(loss, outputGradient(reduction, N, device)), referenceGrad, RTOL, ATOL);
        }
      });
    }
  }

  it('honours a custom ignoreIndex inside [0, C) and gives NaN for a mean over nothing', async () => {
    const [xc, xg] = pairOf(uniformData(20 * 4, 2, -3, 3), [20, 4], gpu);
    const [tc, tg] = pairOf(randomInts(20, 3, 0, 4), [20], gpu);
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const expected = await composed(xc, tc, reduction, 2).toArray();
      expectClose(await crossEntropy(xg, tg, { reduction, ignoreIndex: 2 }).toArray(), expected, RTOL, ATOL);
      expectClose(await crossEntropy(xc, tc, { reduction, ignoreIndex: 2 }).toArray(), expected, RTOL, ATOL);
    }
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray([1, 2, 3, 4], [2, 2], { device });
      const t = fromArray(Int32Array.from([-100, -100]), [2], { device });
      expect(await crossEntropy(x, t).item()).toBeNaN();
      expect(await crossEntropy(x, t, { reduction: 'sum' }).item()).toBe(0);
    }
  });

  it('is stable for large logits and reads strided, offset logits', async () => {
    const data = uniformData(12 * 6, 4, -1, 1).map((v) => v * 300 + 1000);
    const [xc, xg] = pairOf(data, [6, 12], gpu);
    const [tc, tg] = pairOf(randomInts(12, 5, 0, 5), [12], gpu);
    const view = (x: Tensor) => x.t().narrow(1, 1, 5);
    for (const reduction of ['mean', 'none'] as const) {
      const loss = crossEntropy(view(xg), tg, { reduction });
      expect((await values(loss)).every(Number.isFinite)).toBe(true);
      await expectTensorsClose(loss, composed(view(xc), tc, reduction), RTOL, 1e-3);
    }
  });

  it('its recorded backward reads a broadcast or offset output gradient', async () => {
    const [xc, xg] = pairOf(uniformData(7 * 5, 8, -3, 3), [7, 5], gpu);
    const [tc, tg] = pairOf(Int32Array.from([4, 0, -100, 2, 1, 3, 4]), [7], gpu);
    xc.requiresGrad_();
    xg.requiresGrad_();
    const expected = gradient(composed(xc, tc, 'none'), fromArray([2, 2, 2, 2, 2, 2, 2], [7], { device: 'cpu' }));
    for (const [x, t, device] of [[xc, tc, 'cpu'], [xg, tg, gpu]] as const) {
      const none = crossEntropy(x, t, { reduction: 'none' });
      await expectTensorsClose(none.gradFn!.apply(fromArray([2], [1], { device }).expand([7]))[0]!, expected, RTOL, ATOL);
      const offset = fromArray([9, 2, 2, 2, 2, 2, 2, 2], [8], { device }).narrow(0, 1, 7);
      await expectTensorsClose(none.gradFn!.apply(offset)[0]!, expected, RTOL, ATOL);
    }
  });

  it('raises an error naming a target outside [0, C) on cpu at once and on webgpu at the next readback', async () => {
    const [xc, xg] = pairOf(uniformData(5 * 3, 6, -3, 3), [5, 3], gpu);
    const [tc, tg] = pairOf(Int32Array.from([0, 2, 7, 1, 0]), [5], gpu);
    const message = 'Target 7 is out of bounds (expected a class index in [0, 3)).';
    expect(() => crossEntropy(xc, tc)).toThrow(message);
    const loss = crossEntropy(xg, tg);
    await expect(loss.item()).rejects.toThrow(message);
  });

  it("raises PyTorch's errors for mismatched shapes and dtypes", () => {
    const x = fromArray(uniformData(6, 1, 0, 1), [3, 2], { device: gpu });
    expect(() => crossEntropy(x, fromArray(Int32Array.from([0, 1]), [2], { device: gpu }))).toThrow(
      'Expected input batch_size (3) to match target batch_size (2).',
    );
    expect(() => crossEntropy(x, fromArray([0, 1, 1], [3], { device: gpu }))).toThrow('crossEntropy: expected target of dtype int32, found float32');
    expect(() => crossEntropy(x, fromArray(Int32Array.from([0, 1, 1]), [3], { device: gpu }), { reduction: 'avg' as Reduction })).toThrow(
      'avg is not a valid value for reduction',
    );
  });
});
