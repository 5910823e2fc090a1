import { beforeAll, describe, expect, it } from 'vitest';
import { Generator, fromArray, init, maxPool2d, maxPool2dWithIndices, relu, type Device, type MaxPoolOptions, type Tensor } from '@mini/tensor';
import { testing } from '@mini/tensor/internal';

// maxPool2d(relu(x)) backpropagates in one kernel on webgpu (pool.ts, reluThenMaxPool): the
// max-pool backward masked where the ReLU's output is not > 0. It must give the two-kernel path's
// bits (a hook on the ReLU's output keeps that path) and the cpu's values, and must not run where
// something else sees or adds to the ReLU output's gradient.

const FUSED = 'maxPool2d+relu.backward';

/** [N, C, H, W], kernel, and the pooling's options: odd sizes, overlapping windows, padding, ceil mode, dilation, tiling windows. */
const CASES: [number[], number, MaxPoolOptions][] = [
  [[1, 1, 1, 1], 2, { stride: 1, padding: 1 }],
  [[3, 7, 7, 7], 3, { stride: 2, padding: 1 }],
  [[3, 7, 13, 13], 3, { stride: 2, padding: 1, ceilMode: true }],
  [[1, 7, 33, 33], 2, { ceilMode: true }],
  [[3, 1, 33, 7], 3, { stride: 1, padding: 1 }],
  [[3, 7, 13, 7], 2, { stride: 1, ceilMode: true }],
  [[1, 7, 13, 13], 3, { stride: 1, padding: 1, dilation: 2 }],
  [[3, 7, 14, 14], 2, {}], // windows that tile the input: max_backward_tiled
  [[1, 1, 8, 8], 2, {}],
];

/** Halves in [-2, 1): mostly ≤ 0 (whole windows of zeros after the ReLU), many ties; NaN in about 1 of 30 and in the middle. */
function inputValues(r: Generator, n: number): Float32Array {
  const xs = Float32Array.from({ length: n }, () => (r.uniform() < 1 / 30 ? NaN : Math.floor(r.uniform() * 6 - 4) / 2));
  if (n > 1) xs[n >> 1] = NaN;
  return xs;
}

/** Each element's bit pattern (tells -0 from 0 and NaN from NaN). */
const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
/** The values with -0 as 0 (the cpu and a kernel may sum zeros in another order). */
const values = (a: ArrayLike<number>) => Array.from(a, (v) => v + 0);

describe('on webgpu: maxPool2d(relu(x)) backward in one kernel', () => {
  let gpu: Device;
  beforeAll(async () => {
    gpu = await init('webgpu');
  });

  /**
   * x's gradient through maxPool2d(relu(x)) weighted by w (eighths, so every sum is exact), and the
   * dispatches of the backward; `tap` may observe or reuse the ReLU's output and returns an extra loss term.
   */
  async function gradient(device: Device | 'cpu', shape: number[], xs: Float32Array, ws: Float32Array, kernel: number, options: MaxPoolOptions, tap?: (y: Tensor) => Tensor | void) {
    const x = fromArray(xs, shape, { device, requiresGrad: true });
    const y = relu(x);
    const pooled = maxPool2d(y, kernel, options);
    const extra = tap?.(y);
    let loss = pooled.mul(fromArray(ws, pooled.shape, { device })).sum();
    if (extra) loss = loss.add(extra);
    const labels = device === 'cpu' ? [] : await testing.dispatchLabels(gpu.gpu, () => loss.backward());
    if (device === 'cpu') loss.backward();
    return { grad: await x.grad!.toArray(), labels, y };
  }

  for (const [shape, kernel, options] of CASES) {
    it(`[${shape.join(', ')}], kernel ${kernel}, ${JSON.stringify(options)}: the same bits as relu's own backward kernel, the cpu's values`, async () => {
      const r = new Generator(shape.reduce((a, b) => a * 7 + b, kernel));
      const xs = inputValues(r, shape.reduce((a, b) => a * b, 1));
      const [pooledCpu, indicesCpu] = maxPool2dWithIndices(relu(fromArray(xs, shape)), kernel, options);
      const [pooledGpu, indicesGpu] = maxPool2dWithIndices(relu(fromArray(xs, shape, { device: gpu })), kernel, options);
      const pooled = await pooledCpu.toArray();
      // The forward first: NaN wins its window (its index the last NaN's), ties go to the first maximum.
      expect(bits(await pooledGpu.toArray())).toEqual(bits(pooled));
      expect(Array.from(await indicesGpu.toArray())).toEqual(Array.from(await indicesCpu.toArray()));
      const ws = Float32Array.from({ length: pooled.length }, () => Math.floor(r.uniform() * 16 - 8) / 8);
      const cpu = await gradient('cpu', shape, xs, ws, kernel, options);
      const fused = await gradient(gpu, shape, xs, ws, kernel, options);
      const separate = await gradient(gpu, shape, xs, ws, kernel, options, (y) => void y.registerHook(() => {}));
      expect(fused.labels).toContain(FUSED);
      expect(fused.labels).not.toContain('reluBackward');
      expect(separate.labels).toContain('maxPool2d.backward');
      expect(separate.labels).toContain('reluBackward');
      expect(separate.labels).not.toContain(FUSED);
      expect(bits(fused.grad)).toEqual(bits(separate.grad));
      expect(values(fused.grad)).toEqual(values(cpu.grad));
      // The case has what it claims: a NaN, and windows with nothing > 0 after the ReLU (pooled 0).
      if (xs.length > 1) expect([xs.some(Number.isNaN), Array.from(pooled).includes(0)]).toEqual([true, true]);
    });
  }

  it('does not fuse where the ReLU output is retained, hooked, or also summed into the loss: the gradients are still right', async () => {
    const [shape, kernel, options] = CASES[2];
    const r = new Generator(3);
    const xs = inputValues(r, shape.reduce((a, b) => a * b, 1));
    const ws = Float32Array.from({ length: maxPool2d(fromArray(xs, shape), kernel, options).numel() }, () => Math.floor(r.uniform() * 16 - 8) / 8);
    const taps: [string, (y: Tensor) => Tensor | void][] = [
      ['summed into the loss too', (y) => y.mul(0.5).sum()],
      ['retainGrad', (y) => void y.retainGrad()],
      ['a hook replacing the gradient', (y) => void y.registerHook((g) => g.mul(2))],
    ];
    for (const [name, tap] of taps) {
      const cpu = await gradient('cpu', shape, xs, ws, kernel, options, tap);
      const webgpu = await gradient(gpu, shape, xs, ws, kernel, options, tap);
      expect(webgpu.labels, name).not.toContain(FUSED);
      expect(webgpu.labels, name).toContain('reluBackward');
      expect(values(webgpu.grad), name).toEqual(values(cpu.grad));
      if (name === 'retainGrad') expect(values(await webgpu.y.grad!.toArray())).toEqual(values(await cpu.y.grad!.toArray()));
    }
  });
});
