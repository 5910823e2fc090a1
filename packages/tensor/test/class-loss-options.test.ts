import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, fromArray, nllLoss, type CrossEntropyOptions, type Device, type Reduction, type Tensor } from '@mini/tensor';
import { expectClose, webgpu } from './helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

interface Case {
  fn: 'nllLoss' | 'crossEntropy';
  options: { reduction: Reduction; ignoreIndex: number; weight?: true; labelSmoothing?: number };
  targets: number[];
  loss: number[];
  grad: number[];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/class_loss_torch.json', import.meta.url), 'utf8')) as {
  N: number;
  C: number;
  logits: number[];
  logSoftmax: number[];
  weight: number[];
  rowWeights: number[];
  cases: Case[];
};

/** The loss of a case on a device, and its gradient with respect to the input through the recorded backward. */
async function run(c: Case, device: Device | 'cpu', dtype: 'float32' | 'float64'): Promise<[ArrayLike<number>, ArrayLike<number>]> {
  const { N, C } = fixture;
  const x = fromArray(c.fn === 'nllLoss' ? fixture.logSoftmax : fixture.logits, [N, C], { dtype, device, requiresGrad: true });
  const t = fromArray(Int32Array.from(c.targets), [N], { device });
  const options: CrossEntropyOptions = { ...c.options, weight: c.options.weight ? fromArray(fixture.weight, [C], { dtype, device }) : null };
  const loss: Tensor = (c.fn === 'nllLoss' ? nllLoss : crossEntropy)(x, t, options);
  const g = c.options.reduction === 'none' ? fromArray(fixture.rowWeights, [N], { dtype, device }) : fromArray([1], [], { dtype, device });
  const [grad] = loss.gradFn!.apply(g);
  return [await loss.toArray(), await grad!.toArray()];
}

describe('nllLoss and crossEntropy with weight and labelSmoothing against PyTorch 1.13 (scripts/fixtures/class_loss_fixtures.py)', () => {
  for (const c of fixture.cases) {
    const { weight, ...rest } = c.options;
    const label = `${c.fn}(${JSON.stringify({ ...rest, ...(weight ? { weight: fixture.weight } : {}) })})`;
    it(`${label}: loss and gradient on cpu (float64) and webgpu (float32)`, async () => {
      const [loss64, grad64] = await run(c, 'cpu', 'float64');
      expectClose(loss64, c.loss, 1e-12, 1e-12);
      expectClose(grad64, c.grad, 1e-12, 1e-12);
      const [lossGpu, gradGpu] = await run(c, gpu, 'float32');
      expectClose(lossGpu, c.loss, 1e-5, 1e-5);
      expectClose(gradGpu, c.grad, 1e-5, 1e-6);
    });
  }
});

describe('class loss options', () => {
  const x = () => fromArray([0.5, -1, 2, 0, 1, 3], [2, 3], { device: gpu });
  const t = () => fromArray(Int32Array.from([2, 0]), [2], { device: gpu });

  it('an unknown option is an error naming it, as is a bad weight or labelSmoothing', () => {
    expect(() => crossEntropy(x(), t(), { label_smoothing: 0.1 } as never)).toThrow("crossEntropy() got an unexpected keyword argument 'label_smoothing'");
    expect(() => nllLoss(x(), t(), { labelSmoothing: 0.1 } as never)).toThrow("nllLoss() got an unexpected keyword argument 'labelSmoothing'");
    expect(() => crossEntropy(x(), t(), { sizeAverage: true } as never)).toThrow("unexpected keyword argument 'sizeAverage'");
    expect(() => crossEntropy(x(), t(), { labelSmoothing: 1.5 })).toThrow('label_smoothing must be between 0.0 and 1.0. Got: 1.5');
    expect(() => crossEntropy(x(), t(), { weight: fromArray([1, 2], [2], { device: gpu }) })).toThrow(
      'weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: [2]',
    );
    expect(() => nllLoss(x(), t(), { weight: fromArray([1, 2, 3], [3], { device: 'cpu' }) })).toThrow('Expected all tensors to be on the same device');
  });

  it('a strided weight view reads the right elements', async () => {
    const w = fromArray([1, 9, 2, 9, 0.5, 9], [6], { device: gpu }).reshape(3, 2).narrow(1, 0, 1).squeeze(1);
    const dense = fromArray([1, 2, 0.5], [3], { device: gpu });
    expectClose(await crossEntropy(x(), t(), { weight: w }).toArray(), await crossEntropy(x(), t(), { weight: dense }).toArray(), 0, 0);
  });
});
