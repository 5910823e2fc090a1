import { beforeAll, describe, expect, it } from 'vitest';
import { Generator, expand, fromArray, indexSelect, linear, logSoftmax, matmul, maximum, nllLoss, softmax, where, type Device, type Tensor } from '@mini/tensor';
import { gradcheck } from '@mini/autograd';
import { webgpu } from '../../tensor/test/helpers.ts';
import { relativeError } from './helpers.ts';

// The same float32 graph on webgpu and on cpu must give the same gradients: relative error
// max|webgpu − cpu| / max|cpu| at most 1e-4 for each leaf.
const TOLERANCE = 1e-4;

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

interface Leaf {
  shape: number[];
  low?: number;
  high?: number;
}

/** Float32 leaves that require grad, with the same random data on `device` for a given seed. */
function leaves(specs: Leaf[], seed: number, device: Device | 'cpu'): Tensor[] {
  const g = new Generator(seed);
  return specs.map(({ shape, low = -1, high = 1 }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, () => low + g.uniform() * (high - low));
    return fromArray(data, shape, { device, requiresGrad: true });
  });
}

function int32(values: number[], device: Device | 'cpu'): Tensor {
  return fromArray(values, [values.length], { dtype: 'int32', device });
}

/** Runs graph(leaves, device).backward() on both devices and compares every leaf's gradient. */
async function expectSameGradients(specs: Leaf[], graph: (xs: Tensor[], device: Device | 'cpu') => Tensor): Promise<void> {
  const results: Float32Array[][] = [];
  for (const device of ['cpu', gpu] as const) {
    const xs = leaves(specs, 7, device);
    graph(xs, device).backward();
    results.push(await Promise.all(xs.map(async (x) => (await x.grad!.toArray()) as Float32Array)));
  }
  const [cpuGrads, gpuGrads] = results;
  cpuGrads.forEach((expected, i) => {
    expect(expected.some((v) => v !== 0), `leaf ${i} gets a gradient`).toBe(true);
    const error = relativeError(gpuGrads[i], expected);
    expect(error, `leaf ${i} (shape [${specs[i].shape}]): relative error ${error}`).toBeLessThanOrEqual(TOLERANCE);
  });
}

describe('backward on webgpu equals backward on cpu (float32)', () => {
  it('an MLP: linear+relu, linear, relu, linear, logSoftmax, nllLoss with ignoreIndex', async () => {
    const N = 33;
    const targets = Array.from({ length: N }, (_, i) => (i % 5 === 0 ? -100 : (i * 7) % 10));
    await expectSameGradients(
      [{ shape: [N, 20] }, { shape: [13, 20] }, { shape: [13] }, { shape: [7, 13] }, { shape: [7] }, { shape: [10, 7] }, { shape: [10] }],
      ([x, w1, b1, w2, b2, w3, b3], device) => {
        const h1 = linear(x, w1, b1, true);
        const h2 = linear(h1, w2, b2).relu();
        return nllLoss(logSoftmax(linear(h2, w3, b3), 1), int32(targets, device));
      },
    );
  });

  it('broadcasting elementwise ops, pow, sqrt, log, maximum, where, sum and mean', async () => {
    await expectSameGradients(
      [{ shape: [7, 33] }, { shape: [33], low: 0.5, high: 2 }, { shape: [7, 1] }, { shape: [1, 33], low: 0.5, high: 2 }],
      ([a, b, c, d]) => {
        const e = a.mul(b).add(c, 0.5).exp().div(b.pow(2).add(1));
        const f = maximum(a.sub(c), c.neg()).relu().add(d.sqrt().mul(a.mul(a))).add(0.1); // > 0: a base for pow
        const h = where(a.gt(0), e, f.pow(d)).add(d.log());
        return h.sum(1).mean().add(h.mean(0, true).sum());
      },
    );
  });

  it('views, transposed matmul, softmax, max, indexSelect, narrow, expand and nllLoss sum', async () => {
    await expectSameGradients([{ shape: [5, 7, 3] }, { shape: [9, 3] }, { shape: [1, 9] }], ([x, w, s], device) => {
      const rows = x.permute(2, 0, 1).reshape(3, 35).t(); // [35, 3], not contiguous
      const z = matmul(rows, w.t()).add(expand(s, [35, 9])); // [35, 9]
      const p = softmax(z, 1).narrow(0, 2, 31);
      const picked = indexSelect(p, 0, int32([0, 3, 3, 30, 7, 7, 7], device));
      const m = z.amax(1).unsqueeze(1).mul(picked.mean(0, true).sum(1, true).squeeze(1).sum());
      return nllLoss(logSoftmax(picked, 0), int32([1, 8, 8, 0, 4, 2, 3], device), { reduction: 'sum' }).add(m.mean());
    });
  });

  it('matmul and linear backward read transposed operands in place: one kernel per gradient, no copies', async () => {
    /** Dispatches of one backward into fresh leaves (accumulating into existing grads would add some). */
    const dispatches = (specs: Leaf[], forward: (xs: Tensor[]) => Tensor) => {
      const y = forward(leaves(specs, 13, gpu));
      const gradient = leaves([{ shape: [...y.shape] }], 17, gpu)[0];
      const before = gpu.gpu.dispatchCount;
      y.backward(gradient);
      return gpu.gpu.dispatchCount - before;
    };
    const linearShapes = [{ shape: [7, 5] }, { shape: [3, 5] }, { shape: [3] }];
    // dA = g·Bᵀ and dB = Aᵀ·g: two matmul dispatches.
    expect(dispatches([{ shape: [7, 5] }, { shape: [5, 3] }], ([a, b]) => matmul(a, b))).toBe(2);
    // dx, dW and db (a sum over rows); with relu the mask is applied in the same pass as db.
    expect(dispatches(linearShapes, ([x, w, b]) => linear(x, w, b))).toBe(3);
    expect(dispatches(linearShapes, ([x, w, b]) => linear(x, w, b, true))).toBe(3);
  });

  it('gradcheck runs on float64 cpu copies of webgpu inputs', async () => {
    const [x, w] = leaves([{ shape: [3, 4] }, { shape: [5, 4] }], 11, gpu);
    expect(await gradcheck((x, w) => logSoftmax(linear(x, w), 1), [x, w])).toBe(true);
    expect(x.device).toBe(gpu);
    expect(x.grad).toBeNull();
  });
});
