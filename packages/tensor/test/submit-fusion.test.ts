import { beforeAll, describe, expect, it } from 'vitest';
import { bmm, flush, fromArray, keep, linear, logSoftmax, matmul, nllLoss, relu, tidy, type Device, type NllOptions, type Reduction, type Tensor } from '@mini/tensor';
import { testing } from '@mini/tensor/internal';
import { expectTensorsClose, randomInts, uniformData, webgpu } from './helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

/** Runs fn in a tidy scope (its result kept), submits, and returns the kernels the submit ran with the result. */
async function submitted<T>(fn: () => T): Promise<[string[], T]> {
  let result!: T;
  const labels = await testing.dispatchLabels(gpu.gpu, () => (result = tidy(() => keepAll(fn()))));
  return [labels, result];
}

function keepAll<T>(value: T): T {
  for (const t of [value].flat() as Tensor[]) keep(t);
  return value;
}

/** x [33, 17] with NaN and ±∞ in row 3 (relu keeps NaN, as torch.relu does), weight [7, 17], bias [7]: on both devices. */
function operands(device: Device | 'cpu') {
  const xs = uniformData(33 * 17, 1, -1, 1);
  xs.set([NaN, Infinity, -Infinity], 3 * 17);
  return {
    x: fromArray(xs, [33, 17], { device }),
    w: fromArray(uniformData(7 * 17, 2, -1, 1), [7, 17], { device }),
    b: fromArray(uniformData(7, 3, -1, 1), [7], { device }),
  };
}

describe('at submit, a ReLU over the whole output of the product before it runs in that product\'s epilogue', () => {
  it('relu(linear(x, w, b)), relu(matmul), relu(bmm): one dispatch each, the values of the two ops (NaN kept)', async () => {
    const [c, g] = [operands('cpu'), operands(gpu)];
    const [labels, y] = await submitted(() => relu(linear(g.x, g.w, g.b)));
    expect(labels).toEqual(['linear+relu']);
    const expected = relu(linear(c.x, c.w, c.b));
    expect(Number.isNaN((await y.toArray())[3 * 7])).toBe(true);
    await expectTensorsClose(y, expected, 1e-5, 1e-6);
    const [unfused, z] = await submitted(() => {
      const z = linear(g.x, g.w, g.b);
      return [z, relu(z)];
    });
    expect(unfused).toEqual(['linear', 'relu']);
    await expectTensorsClose(y, z[1], 0, 0);

    const [mm] = await submitted(() => relu(matmul(g.x, g.w.t())));
    expect(mm).toEqual(['matmul+relu']);
    const a = fromArray(uniformData(3 * 5 * 4, 4, -1, 1), [3, 5, 4], { device: gpu });
    const b = fromArray(uniformData(3 * 4 * 6, 5, -1, 1), [3, 4, 6], { device: gpu });
    const [batched, yb] = await submitted(() => relu(bmm(a, b)));
    expect(batched).toEqual(['bmm+relu']);
    await expectTensorsClose(yb, relu(bmm(await a.cpu(), await b.cpu())), 1e-5, 1e-6);
  });

  it('not when the product\'s output is still held, read by another op, or only partly the ReLU\'s input, nor across a submit', async () => {
    const g = operands(gpu);
    const cases: [string, () => Tensor | Tensor[], string[]][] = [
      ['held (returned)', () => {
        const z = linear(g.x, g.w, g.b);
        return [z, relu(z)];
      }, ['linear', 'relu']],
      ['read again', () => {
        const z = linear(g.x, g.w, g.b);
        return [relu(z), z.mul(2)];
      }, ['linear', 'relu', 'mul']],
      ['a view of part of it', () => relu(linear(g.x, g.w, g.b).narrow(0, 1, 5)), ['linear', 'relu']],
      ['a submit in between', () => {
        const z = linear(g.x, g.w, g.b);
        flush();
        return relu(z);
      }, ['linear', 'relu']],
    ];
    const expected = linear(operands('cpu').x, operands('cpu').w, operands('cpu').b);
    for (const [name, fn, kernels] of cases) {
      const [labels, result] = await submitted(fn);
      expect(labels, name).toEqual(kernels);
      const outputs = [result].flat();
      const y = outputs.find((t) => t.shape[0] === 33) ?? outputs[0];
      if (name === 'held (returned)') await expectTensorsClose(outputs[0], expected, 1e-5, 1e-6);
      if (name !== 'a view of part of it') await expectTensorsClose(name === 'held (returned)' ? outputs[1] : y, relu(expected), 1e-5, 1e-6);
    }
  });
});

/** Logits [N, C] in [-6, 6] and targets in [0, C), every fourth one ignoreIndex 3 when `ignored`: on both devices. */
function classification(N: number, C: number, device: Device | 'cpu', ignored = false) {
  const targets = randomInts(N, N + C, 0, C);
  if (ignored) for (let n = 0; n < N; n += 4) targets[n] = 3;
  return { x: fromArray(uniformData(N * C, N * 7 + C, -6, 6), [N, C], { device }), t: fromArray(targets, [N], { device }) };
}

describe('at submit, nllLoss over the output of the logSoftmax before it runs as one dispatch with it', () => {
  const weights = (C: number, device: Device | 'cpu') => fromArray(uniformData(C, C, 0.5, 2), [C], { device });
  const cases: [number, number][] = [[1, 10], [7, 3], [33, 17], [257, 10], [300, 1]];
  for (const [N, C] of cases) {
    it(`[${N}, ${C}]: every reduction, with class weights and ignoreIndex; the log-probabilities and the loss are the two dispatches' to the bit`, async () => {
      const g = classification(N, C, gpu, N > 4);
      const c = classification(N, C, 'cpu', N > 4);
      for (const reduction of ['mean', 'sum', 'none'] as Reduction[]) {
        for (const weighted of [false, true]) {
          const options = (device: Device | 'cpu'): NllOptions => ({ reduction, weight: weighted ? weights(C, device) : null, ignoreIndex: 3 });
          const name = `${reduction}${weighted ? ', weighted' : ''}`;
          const [labels, [logp, loss]] = await submitted(() => {
            const lp = logSoftmax(g.x, 1);
            return [lp, nllLoss(lp, g.t, options(gpu))];
          });
          expect(labels, name).toEqual(['logSoftmax+nllLoss']);
          const [twoLabels, [logp2, loss2]] = await submitted(() => {
            const lp = logSoftmax(g.x, 1);
            flush();
            return [lp, nllLoss(lp, g.t, options(gpu))];
          });
          expect(twoLabels, name).toEqual(['logSoftmax', 'nllLoss']);
          expect(await logp.toArray(), name).toEqual(await logp2.toArray());
          expect(await loss.toArray(), name).toEqual(await loss2.toArray());
          await expectTensorsClose(loss, nllLoss(logSoftmax(c.x, 1), c.t, options('cpu')), 1e-5, 1e-6);
        }
      }
    });
  }

  it('backward from the fused forward gives the gradient of the two dispatches', async () => {
    const g = classification(33, 10, gpu);
    const grads: number[][] = [];
    for (const split of [false, true]) {
      const x = g.x.detach().requiresGrad_();
      const labels = await testing.dispatchLabels(gpu.gpu, () => {
        tidy(() => {
          const lp = logSoftmax(x, 1);
          if (split) flush();
          nllLoss(lp, g.t).backward();
        });
      });
      expect(labels.includes('logSoftmax+nllLoss')).toBe(!split);
      grads.push(Array.from(await x.grad!.toArray()));
    }
    expect(grads[0]).toEqual(grads[1]);
  });

  it('a target out of range is still raised at the next readback', async () => {
    const g = classification(7, 5, gpu);
    const t = fromArray(new Int32Array([0, 1, 2, 9, 4, 0, 1]), [7], { device: gpu });
    const [labels, loss] = await submitted(() => nllLoss(logSoftmax(g.x, 1), t));
    expect(labels).toEqual(['logSoftmax+nllLoss']);
    await expect(loss.item()).rejects.toThrow('Target 9 is out of bounds');
  });

  it('fused when the log-probabilities are read after the loss (they are still written); not when something reads or rewrites them or the logits in between, nor across a submit', async () => {
    const g = classification(33, 10, gpu);
    const cpu = classification(33, 10, 'cpu');
    const expectedLogp = logSoftmax(cpu.x, 1);
    const cases: [string, () => Tensor[], string[]][] = [
      ['read after the loss', () => {
        const lp = logSoftmax(g.x, 1);
        const loss = nllLoss(lp, g.t);
        return [lp.mul(1), loss];
      }, ['logSoftmax+nllLoss', 'mul']],
      ['read in between', () => {
        const lp = logSoftmax(g.x, 1);
        const copy = lp.mul(1);
        return [copy, nllLoss(lp, g.t)];
      }, ['logSoftmax', 'mul', 'nllLoss']],
      ['logits rewritten in place in between', () => {
        const x = g.x.mul(1);
        const lp = logSoftmax(x, 1);
        x.mul_(0);
        return [lp, nllLoss(lp, g.t)];
      }, ['mul', 'logSoftmax', 'mul', 'nllLoss']],
      ['log-probabilities rewritten in place in between', () => {
        const lp = logSoftmax(g.x, 1);
        lp.mul_(1);
        return [lp, nllLoss(lp, g.t)];
      }, ['logSoftmax', 'mul', 'nllLoss']],
      ['a submit in between', () => {
        const lp = logSoftmax(g.x, 1);
        flush();
        return [lp, nllLoss(lp, g.t)];
      }, ['logSoftmax', 'nllLoss']],
    ];
    for (const [name, fn, kernels] of cases) {
      const [labels, [logp, loss]] = await submitted(fn);
      expect(labels, name).toEqual(kernels);
      await expectTensorsClose(logp, expectedLogp, 1e-5, 1e-6);
      await expectTensorsClose(loss, nllLoss(expectedLogp, cpu.t), 1e-5, 1e-6);
    }
    // Only part of the log-probabilities, or a logSoftmax over the other dim: two dispatches, the right values.
    const [part, partLoss] = await submitted(() => nllLoss(logSoftmax(g.x, 1).narrow(0, 1, 5), g.t.narrow(0, 1, 5)));
    expect(part).toEqual(['logSoftmax', 'nllLoss']);
    await expectTensorsClose(partLoss, nllLoss(expectedLogp.narrow(0, 1, 5), cpu.t.narrow(0, 1, 5)), 1e-5, 1e-6);
    const [across, acrossLoss] = await submitted(() => nllLoss(logSoftmax(g.x.t(), 0).t(), g.t));
    expect(across).toEqual(['copy', 'logSoftmax', 'nllLoss']); // the copy: logSoftmax makes x.t() contiguous
    await expectTensorsClose(acrossLoss, nllLoss(expectedLogp, cpu.t), 1e-5, 1e-6);
  });
});
