import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Generator, fromArray, init, type Tensor } from '@mini/tensor';
import { testing } from '@mini/tensor/internal';
import { gradcheck } from '@mini/autograd';
import { nn, F } from '@mini/nn';

/** The fixtures written by scripts/fixtures/nn_losses.py with PyTorch 1.13. */
interface Case {
  name: string;
  fn: 'mseLoss' | 'l1Loss' | 'smoothL1Loss' | 'binaryCrossEntropy' | 'binaryCrossEntropyWithLogits' | 'klDiv' | 'oneHot' | 'pad';
  args: { name: string; shape: number[]; values: number[]; grad: boolean }[];
  options: Record<string, unknown>;
  shape: number[];
  output: number[];
  upstream?: number[];
  grads?: Record<string, number[]>;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/losses.json', import.meta.url), 'utf8')) as { cases: Case[] };

beforeAll(async () => {
  await init('webgpu');
});

// Relative error (max|actual − torch| / max|torch|): float64 on cpu, float32 on webgpu.
const TOLERANCE = { cpu: 1e-10, webgpu: 2e-5 } as const;

/** Calls mini's F. function the way the case called PyTorch's. */
function call(c: Case, t: Record<string, Tensor>): Tensor {
  const o = c.options;
  switch (c.fn) {
    case 'oneHot':
      return F.oneHot(t.tensor, (o.numClasses as number | undefined) ?? -1);
    case 'pad':
      return F.pad(t.input, o.pad as number[], o.mode as F.PadMode, (o.value as number | undefined) ?? null);
    default: {
      const options = { ...o, ...(t.weight ? { weight: t.weight } : {}), ...(t.pos_weight ? { posWeight: t.pos_weight } : {}) };
      return (F[c.fn] as (a: Tensor, b: Tensor, options: object) => Tensor)(t.input, t.target, options);
    }
  }
}

describe.each(['cpu', 'webgpu'] as const)('values and gradients match PyTorch on %s', (dev) => {
  const dtype = dev === 'cpu' ? 'float64' : 'float32';
  // numClasses = -1 reads the classes: cpu only (the GPU's error is tested below).
  for (const c of fixture.cases.filter((c) => dev === 'cpu' || c.name !== 'one hot inferred')) {
    it(c.name, async () => {
      vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      const t = Object.fromEntries(
        c.args.map((a) => [
          a.name,
          fromArray(a.values, a.shape, { device: dev, dtype: c.fn === 'oneHot' ? 'int32' : dtype, requiresGrad: a.grad }),
        ]),
      );
      const out = call(c, t);
      expect(out.shape).toEqual(c.shape);
      const error = testing.relativeError(await out.toArray(), c.output);
      expect(error, `output relative error ${error}`).toBeLessThanOrEqual(TOLERANCE[dev]);
      if (!c.grads) return;
      out.mul(fromArray(c.upstream!, c.shape, { device: dev, dtype })).sum().backward();
      for (const [name, expected] of Object.entries(c.grads)) {
        const grad = t[name].grad;
        expect(grad, `${name} has a gradient`).not.toBeNull();
        const gradError = testing.relativeError(await grad!.toArray(), expected);
        expect(gradError, `${name} gradient relative error ${gradError}`).toBeLessThanOrEqual(TOLERANCE[dev]);
      }
      vi.restoreAllMocks();
    });
  }
});

describe('gradcheck (float64, cpu)', () => {
  const g = new Generator(14);
  const rand = (shape: number[], low = -1, high = 1, requiresGrad = true) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return fromArray(Float64Array.from({ length: n }, () => low + g.uniform() * (high - low)), shape, { dtype: 'float64', device: 'cpu', requiresGrad });
  };
  const cases: [string, (...x: Tensor[]) => Tensor, () => Tensor[]][] = [
    ['mseLoss', (x, y) => F.mseLoss(x, y), () => [rand([3, 7]), rand([3, 7])]],
    ['l1Loss', (x, y) => F.l1Loss(x, y, { reduction: 'sum' }), () => [rand([7]), rand([7])]],
    ['smoothL1Loss beta 0.3 (|x − y| kept off the kink)', (x, y) => F.smoothL1Loss(x, y, { beta: 0.3, reduction: 'none' }), () => [rand([33], 0.5, 1), rand([33], -1, 0.45)]],
    ['binaryCrossEntropy', (x, y, w) => F.binaryCrossEntropy(x, y, { weight: w }), () => [rand([5, 3], 0.05, 0.95), rand([5, 3], 0, 1), rand([3], 0.5, 2, false)]],
    ['binaryCrossEntropyWithLogits', (x, y, w, p) => F.binaryCrossEntropyWithLogits(x, y, { weight: w, posWeight: p }), () => [rand([4, 3], -4, 4), rand([4, 3], 0, 1), rand([3], 0.5, 2, false), rand([3], 0.5, 3, false)]],
    ['klDiv batchmean', (x, y) => F.klDiv(x, y, { reduction: 'batchmean' }), () => [rand([3, 4]), rand([3, 4], 0.1, 1)]],
    ['klDiv logTarget', (x, y) => F.klDiv(x, y, { reduction: 'sum', logTarget: true }), () => [rand([3, 4]), rand([3, 4])]],
    ['pad constant with crop', (x) => F.pad(x, [1, -1, 2, 0], 'constant', 3), () => [rand([2, 3, 4])]],
    ['pad reflect', (x) => F.pad(x, [2, 1, 1, 2], 'reflect'), () => [rand([1, 3, 4])]],
    ['pad replicate', (x) => F.pad(x, [3, 2], 'replicate'), () => [rand([2, 2, 3])]],
  ];
  for (const [name, fn, inputs] of cases) {
    it(name, async () => {
      expect(await gradcheck(fn, inputs())).toBe(true);
    });
  }
});

describe('loss modules', () => {
  const cpu = (values: number[], shape: number[]) => fromArray(values, shape, { device: 'cpu' });
  const x = () => fromArray([0.2, 0.7, 0.9, 0.4], [2, 2], { device: 'cpu' });
  const y = () => fromArray([0, 1, 1, 0], [2, 2], { device: 'cpu' });

  it('equal their F. forms, with the options kept', async () => {
    const pairs: [nn.Module, Tensor][] = [
      [new nn.MSELoss({ reduction: 'sum' }), F.mseLoss(x(), y(), { reduction: 'sum' })],
      [new nn.L1Loss(), F.l1Loss(x(), y())],
      [new nn.SmoothL1Loss({ beta: 0.25 }), F.smoothL1Loss(x(), y(), { beta: 0.25 })],
      [new nn.BCELoss({ weight: cpu([1, 2], [2]) }), F.binaryCrossEntropy(x(), y(), { weight: cpu([1, 2], [2]) })],
      [new nn.BCEWithLogitsLoss({ posWeight: cpu([3, 1], [2]) }), F.binaryCrossEntropyWithLogits(x(), y(), { posWeight: cpu([3, 1], [2]) })],
      [new nn.KLDivLoss({ reduction: 'batchmean', logTarget: true }), F.klDiv(x(), y(), { reduction: 'batchmean', logTarget: true })],
    ];
    for (const [module, expected] of pairs) {
      expect(Array.from(await (module.call(x(), y()) as Tensor).toArray())).toEqual(Array.from(await expected.toArray()));
    }
  });

  it("rejects unknown options and reductions in PyTorch's words", () => {
    expect(() => new nn.MSELoss({ reduce: 'sum' } as never)).toThrow("MSELoss() got an unexpected keyword argument 'reduce'");
    expect(() => new nn.L1Loss({ reduction: 'avg' as never })).toThrow('avg is not a valid value for reduction');
    expect(() => F.mseLoss(x(), y(), { reduction: 'batchmean' as never })).toThrow('batchmean is not a valid value for reduction');
    expect(() => F.smoothL1Loss(x(), y(), { beta: -1 })).toThrow('smooth_l1_loss does not support negative values for beta.');
    expect(() => F.binaryCrossEntropy(x(), cpu([1, 0], [2]))).toThrow('Using a target size ([2]) that is different to the input size ([2, 2]) is deprecated.');
    expect(() => F.binaryCrossEntropyWithLogits(x(), cpu([1, 0], [2]))).toThrow('Target size ([2]) must be the same as input size ([2, 2])');
    expect(() => F.klDiv(x(), y(), { reduction: 'batch' as never })).toThrow('batch is not a valid value for reduction');
  });

  it("warns as PyTorch does when a regression target broadcasts, and for kl_div's 'mean'", () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    F.mseLoss(x(), cpu([1, 2], [2]));
    F.klDiv(x(), y());
    expect(warn.mock.calls.map(([m]) => String(m))).toEqual([
      expect.stringContaining('Using a target size ([2]) that is different to the input size ([2, 2]). This will likely lead to incorrect results due to broadcasting.'),
      expect.stringContaining("reduction: 'mean' divides the total loss by both the batch size and the support size."),
    ]);
    warn.mockRestore();
  });

  it("keep weight and posWeight as buffers under PyTorch's names", () => {
    const loss = new nn.BCEWithLogitsLoss({ weight: cpu([1, 2], [2]), posWeight: cpu([3, 1], [2]) });
    expect(Object.keys(loss.stateDict())).toEqual(['weight', 'pos_weight']);
    expect(loss.posWeight).toBe(loss.pos_weight);
  });
});

describe('F.oneHot and F.pad errors', () => {
  const idx = (values: number[], dev: 'cpu' | 'webgpu' = 'cpu') => fromArray(values, [values.length], { dtype: 'int32', device: dev });
  it("raise PyTorch's errors", () => {
    expect(() => F.oneHot(fromArray([1.5], [1], { device: 'cpu' }))).toThrow('one_hot is only applicable to index tensor');
    expect(() => F.oneHot(idx([0, 3]), 3)).toThrow('Class values must be smaller than num_classes.');
    expect(() => F.oneHot(idx([-1, 0]))).toThrow('Class values must be non-negative.');
    expect(() => F.oneHot(idx([]))).toThrow('Can not infer total number of classes from empty tensor.');
    expect(() => F.oneHot(idx([1, 2], 'webgpu'))).toThrow('on the GPU give num_classes');
    const img = fromArray(new Float32Array(2 * 3 * 4), [2, 3, 4], { device: 'cpu' });
    expect(() => F.pad(img, [1])).toThrow('Padding length must be divisible by 2');
    expect(() => F.pad(img, [1, 1, 1, 1, 1, 1, 1, 1])).toThrow('Padding length too large');
    expect(() => F.pad(img, [4, 0], 'reflect')).toThrow('Padding size should be less than the corresponding input dimension, but got: padding (4, 0) at dimension 2');
    expect(() => F.pad(img, [1, 1], 'circular')).toThrow("mode 'circular' is not supported");
    expect(() => F.pad(img, [1, 1, 1, 1, 1, 1], 'replicate')).toThrow('replicate padding of 3 dim(s) needs a 4-D or 5-D input');
    expect(() => F.pad(img, [1, 1], 'reflect', 2)).toThrow('Padding mode "reflect" doesn\'t take in value argument.');
    expect(() => F.pad(img, [-3, -2])).toThrow('resulted in a negative output size');
  });
});
