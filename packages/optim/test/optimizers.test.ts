import { beforeAll, describe, expect, it } from 'vitest';
import { device, fromArray, init, type Tensor } from '@mini/tensor';
import { Adagrad, Adam, AdamW, RMSprop, SGD, type Optimizer } from '@mini/optim';
import { expectParamsMatch, makeOptimizer, makeParams, readFixture, setGrads } from './torch-fixtures.ts';

const fixture = readFixture('optimizers');
// Relative error as defined in torch-fixtures.ts: max|actual − torch| / max|torch| per parameter tensor.
const TOLERANCE = { cpu: 1e-5, webgpu: 1e-4 } as const;

beforeAll(async () => {
  await init('webgpu');
});

describe.each(['cpu', 'webgpu'] as const)('ten steps match PyTorch %s (relative error <= 1e-5 on cpu, 1e-4 on webgpu)', (dev) => {
  for (const config of fixture.configs) {
    it(config.name, async () => {
      const params = makeParams(fixture, dev);
      const optimizer = makeOptimizer(config, params);
      for (let step = 0; step < config.steps.length; step++) {
        setGrads(fixture, params, step);
        optimizer.step();
        await expectParamsMatch(params, config.steps[step].params, TOLERANCE[dev], `${config.name} step ${step + 1}`);
      }
    });
  }
});

describe('the fused update on webgpu', () => {
  it('is one dispatch per parameter and reads nothing back', async () => {
    const gpu = device('webgpu').gpu;
    const params = makeParams(fixture, 'webgpu');
    const optimizer = new Adam(Object.values(params), { lr: 0.01, amsgrad: true, weightDecay: 0.1 });
    setGrads(fixture, params, 0);
    optimizer.step(); // creates the state
    setGrads(fixture, params, 1);
    await params.weight.toArray();
    const [dispatches, submits] = [gpu.dispatchCount, gpu.submitCount];
    // step() is synchronous, so it cannot wait for a readback; it ends by submitting the step's work once.
    expect(optimizer.step()).toBeUndefined();
    expect(gpu.dispatchCount - dispatches).toBe(Object.keys(params).length);
    expect(gpu.submitCount - submits).toBe(1);
  });

  // Random parameters and gradients of sizes off any tile, three steps on each device.
  const SIZES = [1, 7, 33, 257, 784];
  const CONFIGS: [string, (p: Tensor) => Optimizer][] = [
    ['SGD nesterov', (p) => new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01, maximize: true })],
    ['SGD dampening', (p) => new SGD([p], { lr: 0.1, momentum: 0.8, dampening: 0.2 })],
    ['Adam amsgrad', (p) => new Adam([p], { lr: 0.01, amsgrad: true, weightDecay: 0.1 })],
    ['AdamW maximize', (p) => new AdamW([p], { lr: 0.01, maximize: true })],
    ['RMSprop', (p) => new RMSprop([p], { lr: 0.01, weightDecay: 0.1 })],
    ['RMSprop centered momentum maximize', (p) => new RMSprop([p], { lr: 0.01, alpha: 0.9, momentum: 0.9, centered: true, maximize: true })],
    ['RMSprop centered', (p) => new RMSprop([p], { lr: 0.01, centered: true })],
    ['Adagrad', (p) => new Adagrad([p], { lr: 0.1, lrDecay: 0.1, weightDecay: 0.1, initialAccumulatorValue: 0.2 })],
  ];
  for (const size of SIZES) {
    it(`matches the cpu reference for ${size} elements (rtol 1e-4, atol 1e-6)`, async () => {
      for (const [name, make] of CONFIGS) {
        const values = (seed: number) => Array.from({ length: size }, (_, i) => Math.sin(seed * 1000 + i * 12.9898) * 2);
        const run = async (dev: 'cpu' | 'webgpu') => {
          const p = fromArray(values(1), [size], { device: dev, requiresGrad: true });
          const optimizer = make(p);
          for (let step = 0; step < 3; step++) {
            p.grad?.dispose();
            p.grad = fromArray(values(step + 2), [size], { device: dev });
            optimizer.step();
          }
          return p.toArray();
        };
        const [cpu, gpu] = [await run('cpu'), await run('webgpu')];
        for (let i = 0; i < size; i++) {
          expect(Math.abs(gpu[i] - cpu[i]), `${name} element ${i}: ${gpu[i]} vs ${cpu[i]}`).toBeLessThanOrEqual(1e-6 + 1e-4 * Math.abs(cpu[i]));
        }
      }
    });
  }
});

describe('Optimizer', () => {
  const leaf = (dev: 'cpu' | 'webgpu' = 'cpu') => fromArray([1, 2, 3], [3], { device: dev, requiresGrad: true });

  it("rejects bad hyperparameters with PyTorch's messages", () => {
    expect(() => new SGD([leaf()], { lr: -1 })).toThrow('Invalid learning rate: -1');
    expect(() => new SGD([leaf()], { lr: 0.1, momentum: -0.5 })).toThrow('Invalid momentum value: -0.5');
    expect(() => new SGD([leaf()], { lr: 0.1, weightDecay: -1 })).toThrow('Invalid weight_decay value: -1');
    expect(() => new SGD([leaf()], { lr: 0.1, nesterov: true })).toThrow('Nesterov momentum requires a momentum and zero dampening');
    expect(() => new SGD([leaf()])).toThrow("parameter group didn't specify a value of required optimization parameter lr");
    expect(() => new Adam([leaf()], { eps: -1 })).toThrow('Invalid epsilon value: -1');
    expect(() => new Adam([leaf()], { betas: [0.9, 1] })).toThrow('Invalid beta parameter at index 1: 1');
    expect(() => new AdamW([leaf()], { lr: -0.1 })).toThrow('Invalid learning rate: -0.1');
    expect(() => new RMSprop([leaf()], { alpha: -0.1 })).toThrow('Invalid alpha value: -0.1');
    expect(() => new RMSprop([leaf()], { momentum: -1 })).toThrow('Invalid momentum value: -1');
    expect(() => new RMSprop([leaf()], { eps: -1 })).toThrow('Invalid epsilon value: -1');
    expect(() => new Adagrad([leaf()], { lrDecay: -1 })).toThrow('Invalid lr_decay value: -1');
    expect(() => new Adagrad([leaf()], { initialAccumulatorValue: -1 })).toThrow('Invalid initial_accumulator_value value: -1');
    expect(() => new Adagrad([leaf()], { weightDecay: -1 })).toThrow('Invalid weight_decay value: -1');
  });

  it('rejects bad parameter lists', () => {
    const p = leaf();
    expect(() => new SGD([], { lr: 0.1 })).toThrow('optimizer got an empty parameter list');
    expect(() => new SGD(p as never, { lr: 0.1 })).toThrow('should be an iterable of Tensors or dicts, but got Tensor');
    expect(() => new SGD([p.mul(2)], { lr: 0.1 })).toThrow("can't optimize a non-leaf Tensor");
    expect(() => new SGD([{ params: [p] }, { params: [p] }], { lr: 0.1 })).toThrow('some parameters appear in more than one parameter group');
    expect(() => new SGD([3 as unknown as Tensor], { lr: 0.1 })).toThrow('optimizer can only optimize Tensors, but one of the params is number');
  });

  it('fills group hyperparameters from the defaults', () => {
    const [a, b] = [leaf(), leaf()];
    const optimizer = new SGD([{ params: [a], lr: 0.5 }, { params: [b] }], { lr: 0.1, momentum: 0.9 });
    expect(optimizer.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([
      [0.5, 0.9],
      [0.1, 0.9],
    ]);
    optimizer.addParamGroup({ params: [leaf()], momentum: 0 });
    expect(optimizer.paramGroups[2].lr).toBe(0.1);
  });

  it('zeroGrad disposes gradients by default and zeroes them in place with setToNone = false', async () => {
    const p = leaf('webgpu');
    const optimizer = new SGD([p], { lr: 0.1 });
    const grad = fromArray([1, 1, 1], [3], { device: 'webgpu' });
    p.grad = grad;
    optimizer.zeroGrad(false);
    expect(p.grad).toBe(grad);
    expect(Array.from(await grad.toArray())).toEqual([0, 0, 0]);
    optimizer.zeroGrad();
    expect(p.grad).toBeNull();
    expect(grad.isDisposed).toBe(true);
  });

  it('skips parameters without a gradient', async () => {
    const [a, b] = [leaf(), leaf()];
    const optimizer = new SGD([a, b], { lr: 1 });
    a.grad = fromArray([1, 1, 1], [3], { device: 'cpu' });
    optimizer.step();
    expect(Array.from(await a.toArray())).toEqual([0, 1, 2]);
    expect(Array.from(await b.toArray())).toEqual([1, 2, 3]);
    expect(optimizer.state.has(b)).toBe(false);
  });

  it('raises when a gradient does not fit its parameter', () => {
    const p = leaf();
    p.grad = fromArray([1, 2], [2], { device: 'cpu' });
    expect(() => new SGD([p], { lr: 0.1 }).step()).toThrow('a parameter of shape [3] (float32, cpu) has a gradient of shape [2] (float32, cpu)');
  });

  for (const dev of ['cpu', 'webgpu'] as const) {
    it(`stateDict / loadStateDict resume a run exactly on ${dev} (five steps, reload, five more)`, async () => {
      for (const name of ['sgd-param-groups', 'adam-amsgrad', 'adamw', 'rmsprop-param-groups', 'adagrad-initial-accumulator-eps']) {
        const config = fixture.configs.find((c) => c.name === name)!;
        const params = makeParams(fixture, dev);
        const first = makeOptimizer(config, params);
        for (let step = 0; step < 5; step++) {
          setGrads(fixture, params, step);
          first.step();
        }
        const saved = first.stateDict();
        expect(Object.keys(saved.state)).toEqual(['0', '1']);
        const resumed = makeOptimizer({ ...config, options: { ...config.options, lr: 123 } }, params);
        resumed.loadStateDict(saved);
        expect(resumed.paramGroups.map((g) => g.lr)).toEqual(first.paramGroups.map((g) => g.lr));
        for (let step = 5; step < 10; step++) {
          setGrads(fixture, params, step);
          resumed.step();
        }
        await expectParamsMatch(params, config.steps[9].params, TOLERANCE[dev], `${name} resumed`);
      }
    });
  }

  it('loadStateDict checks the groups', () => {
    const optimizer = new SGD([leaf(), leaf()], { lr: 0.1 });
    const other = new SGD([{ params: [leaf()] }, { params: [leaf()] }], { lr: 0.1 });
    expect(() => optimizer.loadStateDict(other.stateDict())).toThrow('loaded state dict has a different number of parameter groups (2, expected 1)');
    const small = new SGD([leaf()], { lr: 0.1 });
    expect(() => optimizer.loadStateDict(small.stateDict())).toThrow(
      "loaded state dict contains a parameter group that doesn't match the size of optimizer's group",
    );
  });
});

describe('optimizer options', () => {
  it('an unknown option is an error naming it', () => {
    const p = [fromArray([0, 0], [2], { device: 'cpu' }).requiresGrad_()];
    expect(() => new SGD(p, { lr: 0.1, weight_decay: 1 } as never)).toThrow("SGD() got an unexpected keyword argument 'weight_decay'");
    expect(() => new Adam(p, { beta1: 0.9 } as never)).toThrow("Adam() got an unexpected keyword argument 'beta1'");
    expect(() => new AdamW(p, { amsGrad: true } as never)).toThrow("AdamW() got an unexpected keyword argument 'amsGrad'");
  });
});

describe('SGD on webgpu', () => {
  const values = (seed: number, n: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 12.9898) * 2);

  it('updates three parameters a dispatch, those read as vec4 apart from the rest, each as the cpu does', async () => {
    const gpu = device('webgpu').gpu;
    // Sizes off and on multiples of 4; two parameters are views of one buffer (no dispatch may bind it twice).
    const sizes = [8, 12, 7, 20, 1, 33, 4];
    const run = async (dev: 'cpu' | 'webgpu') => {
      const base = fromArray(values(9, 16), [16], { device: dev });
      const shared = [base.narrow(0, 0, 8).detach().requiresGrad_(), base.narrow(0, 8, 8).detach().requiresGrad_()];
      const params = [...sizes.map((n, k) => fromArray(values(k, n), [n], { device: dev, requiresGrad: true })), ...shared];
      const optimizer = new SGD(params, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
      let dispatches = 0;
      for (let step = 0; step < 3; step++) {
        params.forEach((p, k) => {
          p.grad?.dispose();
          p.grad = fromArray(values(step * 31 + k + 2, p.numel()), [p.numel()], { device: dev });
        });
        const before = dev === 'webgpu' ? gpu.dispatchCount : 0;
        optimizer.step();
        if (dev === 'webgpu') dispatches = gpu.dispatchCount - before;
      }
      return { values: await Promise.all(params.map((p) => p.toArray())), dispatches };
    };
    const [cpu, gpuRun] = [await run('cpu'), await run('webgpu')];
    // vec4: 8, 12, 20, 4 and the two shared halves (which may not share a dispatch); f32: 7, 1, 33.
    expect(gpuRun.dispatches).toBe(4);
    cpu.values.forEach((expected, k) =>
      expected.forEach((v, i) => expect(Math.abs(gpuRun.values[k][i] - v), `parameter ${k} element ${i}`).toBeLessThanOrEqual(1e-6 + 1e-4 * Math.abs(v))),
    );
  });
});
