import { beforeAll, describe, expect, it, vi } from 'vitest';
import { fromArray, init, manualSeed, tensor, type Tensor } from '@mini/tensor';
import { nn, F } from '@mini/nn';

beforeAll(async () => {
  await init('webgpu');
});

const DEVICES = ['cpu', 'webgpu'] as const;
// Same-device comparisons of two formulations of one computation: rtol 1e-5, atol 1e-6.
const RTOL = 1e-5;
const ATOL = 1e-6;

async function expectSame(actual: Tensor, expected: Tensor): Promise<void> {
  expect(actual.shape).toEqual(expected.shape);
  const [a, e] = [await actual.toArray(), await expected.toArray()];
  for (let i = 0; i < e.length; i++) {
    expect(Math.abs(a[i] - e[i]), `element ${i}: ${a[i]} vs ${e[i]}`).toBeLessThanOrEqual(ATOL + RTOL * Math.abs(e[i]));
  }
}

function input(shape: number[], dev: 'cpu' | 'webgpu', seed = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return fromArray(Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 0.37)), shape, { device: dev });
}

// Runs first: the deprecation warning is given once per process, as Python shows it once.
describe('softmax without dim', () => {
  it("warns as PyTorch does, once", () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const x = input([3, 5], 'cpu');
    F.logSoftmax(x);
    F.logSoftmax(x);
    F.softmax(x);
    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      'Implicit dimension choice for log_softmax has been deprecated. Change the call to include dim=X as an argument.',
      'Implicit dimension choice for softmax has been deprecated. Change the call to include dim=X as an argument.',
    ]);
    warn.mockRestore();
  });
});

describe.each(DEVICES)('layers on %s', (dev) => {
  it('Sequential fuses Linear + ReLU into one linear+relu op, with the same values and gradients', async () => {
    manualSeed(5);
    const model = new nn.Sequential(
      new nn.Linear(33, 17, true, { device: dev }),
      new nn.ReLU(),
      new nn.Linear(17, 7, true, { device: dev }),
      new nn.LogSoftmax(1),
    );
    const x = input([9, 33], dev);
    const fused = model.forward(x);
    const first = model.at(0) as nn.Linear;
    const last = model.at(2) as nn.Linear;
    expect(fused.gradFn?.inputs[0]?.gradFn?.name).toBe('Linear');
    expect(fused.gradFn?.inputs[0]?.gradFn?.inputs[0]?.gradFn?.name).toBe('LinearRelu');
    fused.sum().backward();
    const fusedGrads = model.parameters().map((p) => p.grad!);
    for (const p of model.parameters()) p.grad = null;
    const plain = F.logSoftmax(last.forward(F.relu(first.forward(x))), 1);
    plain.sum().backward();
    await expectSame(fused, plain);
    for (const [i, p] of model.parameters().entries()) await expectSame(fusedGrads[i], p.grad!);
  });

  it('Sequential runs any module, takes named modules, and grows with append', async () => {
    const seq = new nn.Sequential({ flat: new nn.Flatten(), act: new nn.ReLU() });
    expect(seq.namedChildren().map(([n]) => n)).toEqual(['flat', 'act']);
    const x = input([2, 3, 4], dev);
    await expectSame(seq.forward(x), F.relu(x.reshape(2, 12)));
    const numbered = new nn.Sequential(new nn.Flatten()).append(new nn.Softmax(1));
    expect(numbered.length).toBe(2);
    expect([...numbered].map((m) => m.constructor.name)).toEqual(['Flatten', 'Softmax']);
    expect(numbered.at(-1)).toBeInstanceOf(nn.Softmax);
    expect(() => numbered.at(5)).toThrow('index 5 is out of range');
  });

  it('F.linear accepts 1-D and batched 3-D input, like torch', async () => {
    const linear = new nn.Linear(5, 3, true, { device: dev });
    const x = input([2, 4, 5], dev);
    const y = linear.forward(x);
    expect(y.shape).toEqual([2, 4, 3]);
    await expectSame(y.reshape(8, 3), linear.forward(x.reshape(8, 5)));
    const row = x.reshape(8, 5).narrow(0, 3, 1).reshape(5);
    await expectSame(linear.forward(row), linear.forward(x.reshape(8, 5)).narrow(0, 3, 1).reshape(3));
    await expectSame(F.linearRelu(x, linear.weight, linear.bias), F.relu(y));
    const noBias = new nn.Linear(5, 3, false, { device: dev });
    await expectSame(noBias.forward(x.reshape(8, 5)), x.reshape(8, 5).matmul(noBias.weight.t()));
  });

  it('CrossEntropyLoss is LogSoftmax + NLLLoss, for every reduction', async () => {
    const scores = input([6, 4], dev, 3);
    const target = tensor([0, 3, 1, 2, 3, -100], { dtype: 'int32', device: dev });
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const ce = new nn.CrossEntropyLoss({ reduction });
      const nll = new nn.NLLLoss({ reduction });
      expect(ce.reduction).toBe(reduction);
      await expectSame(ce.forward(scores, target), nll.forward(new nn.LogSoftmax(1).forward(scores), target));
      await expectSame(F.crossEntropy(scores, target, { reduction }), F.nllLoss(F.logSoftmax(scores, 1), target, { reduction }));
    }
    const withIgnored = tensor([0, 3, 1, 2, 3, 1], { dtype: 'int32', device: dev });
    const rows = tensor([0, 2, 3, 5], { dtype: 'int32', device: dev });
    const logp = F.logSoftmax(scores, 1);
    await expectSame(
      new nn.NLLLoss({ ignoreIndex: 3 }).forward(logp, withIgnored),
      new nn.NLLLoss().forward(logp.indexSelect(0, rows), withIgnored.indexSelect(0, rows)),
    );
  });

  it('Softmax and LogSoftmax modules, with the implicit dim PyTorch picks', async () => {
    const x = input([3, 5], dev);
    await expectSame(new nn.Softmax(1).forward(x), F.softmax(x, 1));
    await expectSame(new nn.Softmax(0).forward(x), F.softmax(x, 0));
    await expectSame(new nn.LogSoftmax().forward(x), F.logSoftmax(x, 1));
    await expectSame(F.softmax(x.reshape(15)), F.softmax(x.reshape(15), 0));
  });
});
