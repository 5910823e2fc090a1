import { beforeAll, describe, expect, it } from 'vitest';
import { fromArray, init, manualSeed, setDefaultDevice, zeros } from '@mini/tensor';
import { nn } from '@mini/nn';
import { NNModule } from './threenet.ts';

beforeAll(async () => {
  await init('webgpu');
  // Models are built on the cpu device, then moved with to('webgpu'), as in PyTorch.
  setDefaultDevice('cpu');
});

async function values(model: nn.Module): Promise<number[][]> {
  return Promise.all(model.parameters().map(async (p) => Array.from(await p.toArray())));
}

describe('stateDict / loadStateDict', () => {
  it("holds PyTorch's names and layouts, sharing the module's memory", async () => {
    const model = new NNModule();
    const sd = model.stateDict();
    expect(Object.entries(sd).map(([k, t]) => [k, t.shape])).toEqual([
      ['fc1.weight', [200, 784]],
      ['fc1.bias', [200]],
      ['fc2.weight', [60, 200]],
      ['fc2.bias', [60]],
      ['fc3.weight', [10, 60]],
      ['fc3.bias', [10]],
    ]);
    expect(Object.values(sd).every((t) => !t.requiresGrad)).toBe(true);
    expect(sd['fc1.bias'].storage).toBe(model.fc1.bias!.storage);
  });

  for (const [from, to] of [
    ['webgpu', 'webgpu'],
    ['cpu', 'webgpu'],
    ['cpu', 'cpu'],
  ] as const) {
    it(`round-trips between two models (${from} -> ${to}) by copying in place`, async () => {
      manualSeed(1);
      const source = new NNModule().to(from);
      manualSeed(2);
      const target = new NNModule().to(to);
      const weight = target.fc1.weight;
      expect(await values(target)).not.toEqual(await values(source));
      expect(target.loadStateDict(source.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
      expect(target.fc1.weight).toBe(weight);
      expect(await values(target)).toEqual(await values(source));
    });
  }

  it("raises PyTorch's errors for missing and unexpected keys under strict, and copies nothing", async () => {
    const model = new NNModule().to('cpu');
    const before = await values(model);
    const sd = new NNModule().to('cpu').stateDict();
    delete sd['fc2.bias'];
    sd['fc4.weight'] = zeros([1], { device: 'cpu' });
    expect(() => model.loadStateDict(sd)).toThrow(
      'Error(s) in loading state_dict for NNModule:\n\tMissing key(s) in state_dict: "fc2.bias". \n\tUnexpected key(s) in state_dict: "fc4.weight". ',
    );
    expect(await values(model)).toEqual(before);
    expect(model.loadStateDict(sd, { strict: false })).toEqual({ missingKeys: ['fc2.bias'], unexpectedKeys: ['fc4.weight'] });
    expect(await values(model)).not.toEqual(before);
  });

  it('raises a size mismatch naming the key and both shapes, even when not strict', () => {
    const model = new NNModule().to('cpu');
    const sd = model.stateDict();
    sd['fc1.weight'] = zeros([10, 784], { device: 'cpu' });
    const message =
      'size mismatch for fc1.weight: copying a param with shape [10, 784] from checkpoint, the shape in current model is [200, 784].';
    expect(() => model.loadStateDict(sd)).toThrow(message);
    expect(() => model.loadStateDict(sd, { strict: false })).toThrow(message);
  });

  it('loads buffers and converts dtypes, and leaves non-persistent buffers out', async () => {
    class WithStats extends nn.Module {
      constructor() {
        super();
        this.registerBuffer('count', zeros([1], { dtype: 'int32', device: 'webgpu' }));
        this.registerBuffer('cache', zeros([3], { device: 'webgpu' }), false);
      }
    }
    const m = new WithStats();
    expect(Object.keys(m.stateDict())).toEqual(['count']);
    m.loadStateDict({ count: fromArray([7], [1], { dtype: 'float64', device: 'cpu' }) });
    expect(Array.from(await m.buffers()[0].toArray())).toEqual([7]);
  });
});
