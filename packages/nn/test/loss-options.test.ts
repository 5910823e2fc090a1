import { beforeAll, describe, expect, it } from 'vitest';
import { fromArray, init } from '@mini/tensor';
import { nn, F } from '@mini/nn';

beforeAll(async () => {
  await init('webgpu');
});

describe('nn.CrossEntropyLoss and nn.NLLLoss options', () => {
  const x = () => fromArray([0.5, -1, 2, 0, 1, 3, -2, 0.25, 1.5], [3, 3]);
  const t = () => fromArray(Int32Array.from([2, 0, 1]), [3]);
  const weight = () => fromArray([0.5, 2, 1], [3]);

  it('pass weight and labelSmoothing to the loss, as F.crossEntropy takes them', async () => {
    const w = weight();
    const module = new nn.CrossEntropyLoss({ weight: w, labelSmoothing: 0.2, reduction: 'sum' });
    const expected = await F.crossEntropy(x(), t(), { weight: w, labelSmoothing: 0.2, reduction: 'sum' }).item();
    expect(await module.call(x(), t()).item()).toBe(expected);
    expect(await module.call(x(), t()).item()).not.toBe(await F.crossEntropy(x(), t(), { reduction: 'sum' }).item());
    const nll = new nn.NLLLoss({ weight: w });
    expect(await nll.call(x(), t()).item()).toBe(await F.nllLoss(x(), t(), { weight: w }).item());
  });

  it('keep the weight as a buffer, as PyTorch does', () => {
    const w = weight();
    const module = new nn.CrossEntropyLoss({ weight: w });
    expect(module.namedBuffers()).toEqual([['weight', w]]);
    expect(Object.keys(module.stateDict())).toEqual(['weight']);
    expect(Object.keys(new nn.NLLLoss().stateDict())).toEqual([]);
  });

  it('refuse an unknown option, naming it', () => {
    expect(() => new nn.CrossEntropyLoss({ label_smoothing: 0.1 } as never)).toThrow("CrossEntropyLoss() got an unexpected keyword argument 'label_smoothing'");
    expect(() => new nn.NLLLoss({ labelSmoothing: 0.1 } as never)).toThrow("NLLLoss() got an unexpected keyword argument 'labelSmoothing'");
  });
});

describe('nn.Linear options', () => {
  it('an unknown option is an error naming it', () => {
    expect(() => new nn.Linear(2, 3, true, { dtyp: 'float64' } as never)).toThrow("Linear() got an unexpected keyword argument 'dtyp'");
  });
});
