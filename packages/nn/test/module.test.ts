import { beforeAll, describe, expect, it } from 'vitest';
import { device, fromArray, init, manualSeed, ones, zeros, type Tensor } from '@mini/tensor';
import { nn, Module, Parameter } from '@mini/nn';
import { NNModule } from './threenet.ts';

beforeAll(async () => {
  await init('webgpu');
});

/** A module with a buffer, a shared parameter, a null child and a nested Sequential. */
class Tiny extends nn.Module {
  scale = new Parameter(ones([2], { device: 'cpu' }));
  body = new nn.Sequential(new nn.Linear(3, 2, true, { device: 'cpu' }), new nn.ReLU());
  head: nn.Linear | null = null;
  constructor() {
    super();
    this.registerBuffer('runningMean', zeros([2], { device: 'cpu' }));
    this.registerBuffer('scratch', zeros([2], { device: 'cpu' }), false);
    this.registerModule('head', null);
  }
  forward(x: Tensor): Tensor {
    return (this.body.forward(x) as Tensor).mul(this.scale);
  }
}

describe('Module registration and names', () => {
  it("registers fields by assignment, with PyTorch's dotted names", () => {
    const model = new NNModule();
    expect(model.namedParameters().map(([name, p]) => [name, p.shape])).toEqual([
      ['fc1.weight', [200, 784]],
      ['fc1.bias', [200]],
      ['fc2.weight', [60, 200]],
      ['fc2.bias', [60]],
      ['fc3.weight', [10, 60]],
      ['fc3.bias', [10]],
    ]);
    expect(model.parameters().every((p) => p instanceof Parameter && p.requiresGrad && p.isLeaf)).toBe(true);
    expect(model.namedChildren().map(([name]) => name)).toEqual(['fc1', 'fc2', 'fc3']);
    expect(model.children()).toEqual([model.fc1, model.fc2, model.fc3]);
    expect(model.namedModules().map(([name, m]) => [name, m.constructor.name])).toEqual([
      ['', 'NNModule'],
      ['fc1', 'Linear'],
      ['fc2', 'Linear'],
      ['fc3', 'Linear'],
    ]);
    expect(model.parameters(false)).toEqual([]);
    expect(model.fc1.namedParameters('fc1').map(([n]) => n)).toEqual(['fc1.weight', 'fc1.bias']);
  });

  it('lists buffers, skips null members and counts a shared parameter once', () => {
    const tiny = new Tiny();
    expect(tiny.namedParameters().map(([n]) => n)).toEqual(['scale', 'body.0.weight', 'body.0.bias']);
    expect(tiny.namedBuffers().map(([n]) => n)).toEqual(['runningMean', 'scratch']);
    expect(tiny.namedChildren().map(([n]) => n)).toEqual(['body']);
    const shared = new nn.Linear(2, 2, true, { device: 'cpu' });
    tiny.head = shared;
    (tiny.head as nn.Linear).bias = tiny.scale;
    expect(tiny.namedParameters().map(([n]) => n)).toEqual(['scale', 'body.0.weight', 'body.0.bias', 'head.weight']);
    expect(Object.keys(tiny.stateDict())).toEqual(['scale', 'runningMean', 'body.0.weight', 'body.0.bias', 'head.weight', 'head.bias']);
  });

  it("refuses assignments PyTorch refuses, in PyTorch's words", () => {
    const linear = new nn.Linear(2, 3, true, { device: 'cpu' });
    expect(() => {
      (linear as unknown as { weight: Tensor }).weight = zeros([3, 2], { device: 'cpu' });
    }).toThrow("cannot assign 'Tensor' as parameter 'weight' (nn.Parameter or null expected)");
    const seq = new nn.Sequential(new nn.ReLU());
    expect(() => {
      (seq as unknown as Record<string, unknown>)['0'] = 5;
    }).toThrow("cannot assign 'number' as child module '0' (nn.Module or null expected)");
    expect(() => linear.registerBuffer('a.b', null)).toThrow('buffer name can\'t contain "." and can\'t be empty');
    expect(() => linear.registerParameter('forward', null)).toThrow("attribute 'forward' already exists");
    linear.bias = null;
    expect(linear.namedParameters().map(([n]) => n)).toEqual(['weight']);
    delete (linear as unknown as Record<string, unknown>).bias;
    expect(Object.keys(linear.stateDict())).toEqual(['weight']);
  });

  it('a plain tensor field is an attribute, not a parameter', () => {
    class WithConstant extends nn.Module {
      constant = ones([2], { device: 'cpu' });
    }
    const m = new WithConstant();
    expect(m.parameters()).toEqual([]);
    expect(m.buffers()).toEqual([]);
  });
});

describe('Module printing', () => {
  it("prints like PyTorch's repr", () => {
    manualSeed(0);
    expect(String(new NNModule())).toBe(
      [
        'NNModule(',
        '  (fc1): Linear(in_features=784, out_features=200, bias=True)',
        '  (fc2): Linear(in_features=200, out_features=60, bias=True)',
        '  (fc3): Linear(in_features=60, out_features=10, bias=True)',
        ')',
      ].join('\n'),
    );
    const nested = new nn.Sequential(
      new nn.Flatten(),
      new nn.Sequential(new nn.Linear(4, 3, false, { device: 'cpu' }), new nn.ReLU()),
      new nn.LogSoftmax(1),
      new nn.Softmax(),
      new nn.NLLLoss(),
    );
    expect(String(nested)).toBe(
      [
        'Sequential(',
        '  (0): Flatten(start_dim=1, end_dim=-1)',
        '  (1): Sequential(',
        '    (0): Linear(in_features=4, out_features=3, bias=False)',
        '    (1): ReLU()',
        '  )',
        '  (2): LogSoftmax(dim=1)',
        '  (3): Softmax(dim=None)',
        '  (4): NLLLoss()',
        ')',
      ].join('\n'),
    );
    expect(String(new Tiny())).toContain('(head): None');
  });
});

describe('Module modes, gradients and calls', () => {
  it('train() and eval() set every submodule', () => {
    const model = new NNModule();
    expect(model.modules().every((m) => m.training)).toBe(true);
    expect(model.eval()).toBe(model);
    expect(model.modules().map((m) => m.training)).toEqual([false, false, false, false]);
    model.fc2.train();
    expect(model.modules().map((m) => m.training)).toEqual([false, false, true, false]);
    model.train();
    expect(model.modules().every((m) => m.training)).toBe(true);
  });

  it('call() is forward()', async () => {
    const model = await new NNModule().cpu();
    const x = fromArray(Array.from({ length: 2 * 784 }, (_, i) => Math.sin(i)), [2, 784], { device: 'cpu' });
    expect(Array.from(await model.call(x).toArray())).toEqual(Array.from(await model.forward(x).toArray()));
    expect(() => new (class extends Module {})().call()).toThrow('is missing the required "forward" function');
  });

  it('zeroGrad disposes gradients by default, or zeroes them in place', async () => {
    const model = new nn.Linear(3, 2, true, { device: 'webgpu' });
    const x = ones([4, 3], { device: 'webgpu' });
    model.forward(x).sum().backward();
    const grad = model.weight.grad!;
    model.zeroGrad(false);
    expect(model.weight.grad).toBe(grad);
    expect(Array.from(await grad.toArray())).toEqual([0, 0, 0, 0, 0, 0]);
    model.zeroGrad();
    expect(model.weight.grad).toBeNull();
    expect(grad.isDisposed).toBe(true);
  });

  it('requiresGrad_ freezes and unfreezes every parameter; apply visits every module', () => {
    const model = new NNModule();
    model.requiresGrad_(false);
    expect(model.parameters().some((p) => p.requiresGrad)).toBe(false);
    model.requiresGrad_();
    expect(model.parameters().every((p) => p.requiresGrad)).toBe(true);
    const visited: string[] = [];
    model.apply((m) => visited.push(m.constructor.name));
    expect(visited).toEqual(['Linear', 'Linear', 'Linear', 'NNModule']);
  });
});

describe('Module copies and devices', () => {
  it('deepCopy makes an independent module of the same class', async () => {
    const model = new NNModule().to('webgpu');
    const copy = model.deepCopy();
    expect(copy).toBeInstanceOf(NNModule);
    expect(copy).not.toBe(model);
    expect(copy.fc1).toBeInstanceOf(nn.Linear);
    expect(copy.namedParameters().map(([n]) => n)).toEqual(model.namedParameters().map(([n]) => n));
    for (const [[, p], [, q]] of copy.namedParameters().map((e, i) => [e, model.namedParameters()[i]] as const)) {
      expect(p).not.toBe(q);
      expect(p.storage).not.toBe(q.storage);
      expect(Array.from(await p.toArray())).toEqual(Array.from(await q.toArray()));
    }
    expect(String(copy)).toBe(String(model));
    // Changing the original changes nothing in the copy, and the copy trains on its own.
    nn.init.zeros_(model.fc1.weight);
    expect((await copy.fc1.weight.toArray()).some((v) => v !== 0)).toBe(true);
    copy.fc3.bias = new Parameter(ones([10], { device: 'webgpu' }));
    expect(model.fc3.bias).not.toBe(copy.fc3.bias);
    expect(copy.parameters()).toContain(copy.fc3.bias);
  });

  it('deepCopy keeps buffers, shared parameters and null members', () => {
    const tiny = new Tiny();
    (tiny.body.at(0) as nn.Linear).bias = tiny.scale;
    const copy = tiny.deepCopy();
    expect(copy.namedBuffers().map(([n]) => n)).toEqual(['runningMean', 'scratch']);
    expect(Object.keys(copy.stateDict())).toEqual(Object.keys(tiny.stateDict()));
    expect((copy.body.at(0) as nn.Linear).bias).toBe(copy.scale);
    expect(copy.head).toBeNull();
  });

  it('to(device) moves parameters, gradients and buffers; cpu() brings them back', async () => {
    const tiny = new Tiny();
    const before = await Promise.all(tiny.parameters().map((p) => p.toArray()));
    tiny.scale.grad = ones([2], { device: 'cpu' });
    expect(tiny.to('webgpu')).toBe(tiny);
    const gpu = device('webgpu');
    expect([...tiny.parameters(), ...tiny.buffers()].every((t) => t.device === gpu)).toBe(true);
    expect(tiny.scale.grad!.device).toBe(gpu);
    expect(tiny.parameters().every((p) => p instanceof Parameter && p.requiresGrad)).toBe(true);
    expect(await Promise.all(tiny.parameters().map((p) => p.toArray()))).toEqual(before);
    expect(() => tiny.to('cpu')).toThrow("Tiny.to('cpu'): reading webgpu tensors is asynchronous: use `await module.cpu()`");
    await tiny.cpu();
    expect([...tiny.parameters(), ...tiny.buffers()].every((t) => t.device.type === 'cpu')).toBe(true);
    expect(await Promise.all(tiny.parameters().map((p) => p.toArray()))).toEqual(before);
  });

  it('to(dtype) casts floating parameters', () => {
    const linear = new nn.Linear(3, 2, true, { device: 'cpu' }).to('float64');
    expect(linear.parameters().map((p) => p.dtype)).toEqual(['float64', 'float64']);
  });

  it('dispose frees every parameter', () => {
    const model = new nn.Linear(3, 2, true, { device: 'webgpu' });
    model.dispose();
    expect(model.parameters().every((p) => p.isDisposed)).toBe(true);
  });
});
