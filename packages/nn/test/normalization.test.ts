import { beforeAll, describe, expect, it } from 'vitest';
import { fromArray, init, type Device, type Tensor } from '@mini/tensor';
import { F, nn, Module } from '@mini/nn';
import { backwardWith, both, expectGradcheck, expectSame, expectValues, FIXTURES, load, randomLeaf, targets, type Target, type Values } from './layer-fixtures.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await init('webgpu');
});

interface Step {
  input: Values;
  output: Values;
  upstream: Values;
  grads: Record<string, Values>;
  runningMean?: Values;
  runningVar?: Values;
  numBatchesTracked?: number;
}

/** Sets the module's affine parameters to the fixture's (on the target's device and dtype). */
function setAffine(m: Module & { weight: Tensor | null; bias: Tensor | null }, c: Record<string, unknown>, t: Target): void {
  if (!c.weight) return;
  m.loadStateDict({ ...m.stateDict(), weight: load(c.weight as Values, t), bias: load(c.bias as Values, t) });
}

async function expectStep(m: Module & { weight: Tensor | null; bias: Tensor | null }, step: Step, t: Target): Promise<void> {
  const x = load(step.input, t, true);
  m.zeroGrad();
  const out = m.call(x) as Tensor;
  await expectValues(out, step.output, t, 'output');
  backwardWith(out, step.upstream, t);
  await expectValues(x.grad!, step.grads.input, t, 'input grad');
  if (step.grads.weight) {
    await expectValues(m.weight!.grad!, step.grads.weight, t, 'weight grad');
    await expectValues(m.bias!.grad!, step.grads.bias, t, 'bias grad');
  }
}

describe('BatchNorm1d / BatchNorm2d against PyTorch: training steps with running statistics, then eval', () => {
  for (const t of targets(() => gpu)) {
    for (const c of FIXTURES.batchNorm) {
      it(`${c.name} on ${t.dtype === 'float64' ? 'cpu' : 'webgpu'}`, async () => {
        const Layer = c.module === 'BatchNorm1d' ? nn.BatchNorm1d : nn.BatchNorm2d;
        const bn = new Layer(c.numFeatures as number, { ...c.options, device: t.device, dtype: t.dtype });
        setAffine(bn, c, t);
        for (const step of c.steps as Step[]) {
          bn.train();
          await expectStep(bn, step, t);
          if (step.runningMean) {
            await expectValues(bn.runningMean!, step.runningMean, t, 'running_mean');
            await expectValues(bn.runningVar!, step.runningVar!, t, 'running_var');
            expect(await bn.numBatchesTracked!.item()).toBe(step.numBatchesTracked);
          } else {
            expect(bn.runningMean).toBeNull();
          }
        }
        bn.eval();
        await expectStep(bn, c.eval as Step, t);
      });
    }
  }
});

describe('LayerNorm against PyTorch', () => {
  for (const t of targets(() => gpu)) {
    for (const c of FIXTURES.layerNorm) {
      it(`${c.name} on ${t.dtype === 'float64' ? 'cpu' : 'webgpu'}`, async () => {
        const ln = new nn.LayerNorm(c.normalizedShape as number[], { ...c.options, device: t.device, dtype: t.dtype });
        setAffine(ln, c, t);
        await expectStep(ln, c as unknown as Step, t);
      });
    }
  }
});

describe('normalization gradcheck (float64, cpu)', () => {
  it('batch norm, training (batch statistics), affine', async () => {
    const rm = fromArray([0.5, -1, 0], [3], { dtype: 'float64', device: 'cpu' });
    const rv = fromArray([1, 2, 0.5], [3], { dtype: 'float64', device: 'cpu' });
    await expectGradcheck((x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }), [randomLeaf([3, 3, 2, 2], 1), randomLeaf([3], 2), randomLeaf([3], 3)]);
    await expectGradcheck((x) => F.batchNorm(x, rm, rv, { training: false }), [randomLeaf([4, 3], 4)]);
  });
  it('layer norm over two dims, affine', async () => {
    await expectGradcheck((x, w, b) => F.layerNorm(x, [2, 3], w, b), [randomLeaf([4, 2, 3], 5), randomLeaf([2, 3], 6), randomLeaf([2, 3], 7)]);
  });
});

describe('norm kernels against the CPU reference (odd shapes)', () => {
  const cases: [string, number[], (x: Tensor, w: Tensor, b: Tensor) => Tensor, number][] = [
    ['batch norm [33, 7, 5, 3]', [33, 7, 5, 3], (x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }), 7],
    ['batch norm [257, 1]', [257, 1], (x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }), 1],
    ['layer norm [7, 257]', [7, 257], (x, w, b) => F.layerNorm(x, [257], w, b), 257],
    ['layer norm [1, 33] over a transposed view', [33, 1], (x, w, b) => F.layerNorm(x.t(), [33], w, b), 33],
  ];
  for (const [name, shape, fn, affine] of cases) {
    it(name, async () => {
      const [xc, xg] = both(shape, 1, gpu, 2, 0.3);
      const [wc, wg] = both([affine], 2, gpu, 2, 0.3);
      const [bc, bg] = both([affine], 3, gpu, 2, 0.3);
      const [oc, og] = [fn(xc, wc, bc), fn(xg, wg, bg)];
      await expectSame(oc, og, 'output');
      const [uc, ug] = both(oc.shape as number[], 4, gpu, 2, 0.3);
      oc.backward(uc.detach());
      og.backward(ug.detach());
      await expectSame(xc.grad!, xg.grad!, 'input grad');
      await expectSame(wc.grad!, wg.grad!, 'weight grad');
      await expectSame(bc.grad!, bg.grad!, 'bias grad');
    });
  }
});

describe('BatchNorm and LayerNorm modules', () => {
  it("keep PyTorch's state-dict names; running statistics are buffers, not parameters", () => {
    const bn = new nn.BatchNorm2d(3);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(bn.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
    expect(bn.numBatchesTracked!.dtype).toBe('int32');
    expect(bn.toString()).toBe('BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
    const plain = new nn.BatchNorm1d(4, { affine: false, trackRunningStats: false, momentum: null });
    expect(Object.keys(plain.stateDict())).toEqual([]);
    expect(plain.toString()).toBe('BatchNorm1d(4, eps=1e-05, momentum=None, affine=False, track_running_stats=False)');
    expect(new nn.LayerNorm([4, 5], { eps: 1e-3 }).toString()).toBe('LayerNorm((4, 5), eps=0.001, elementwise_affine=True)');
    expect(Object.keys(new nn.LayerNorm(3).stateDict())).toEqual(['weight', 'bias']);
  });
  it("refuse what PyTorch refuses, in PyTorch's words", () => {
    expect(() => new nn.BatchNorm2d(3).call(fromArray(new Float32Array(6), [2, 3]))).toThrow('expected 4D input (got 2D input)');
    expect(() => new nn.BatchNorm1d(3).call(fromArray(new Float32Array(24), [2, 3, 2, 2]))).toThrow('expected 2D or 3D input (got 4D input)');
    expect(() => new nn.BatchNorm1d(3).call(fromArray(new Float32Array(3), [1, 3]))).toThrow('Expected more than 1 value per channel when training, got input size [1, 3]');
    expect(() => F.batchNorm(fromArray(new Float32Array(6), [2, 3]), null, null)).toThrow('running_mean and running_var must be defined in evaluation mode');
    expect(() => new nn.BatchNorm2d(3, { track_running_stats: false } as object)).toThrow("BatchNorm2d() got an unexpected keyword argument 'track_running_stats'");
    expect(() => new nn.LayerNorm(4).call(fromArray(new Float32Array(6), [2, 3]))).toThrow('Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]');
  });
  it('does not update the running statistics in eval mode', async () => {
    const bn = new nn.BatchNorm1d(2);
    bn.eval();
    bn.call(fromArray([1, 2, 3, 4], [2, 2]));
    expect(Array.from(await bn.runningMean!.toArray())).toEqual([0, 0]);
    expect(await bn.numBatchesTracked!.item()).toBe(0);
  });
});
