import { beforeAll, describe, expect, it } from 'vitest';
import { bmm, flush, fromArray, keep, linear, matmul, relu, tidy, type Device, type Tensor } from '@mini/tensor';
import { testing } from '@mini/tensor/internal';
import { expectTensorsClose, uniformData, webgpu } from './helpers.ts';

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
