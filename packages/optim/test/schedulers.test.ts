import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fromArray, init } from '@mini/tensor';
import { Adam, CosineAnnealingLR, LambdaLR, LinearLR, OneCycleLR, ReduceLROnPlateau, SGD, StepLR, optim } from '@mini/optim';
import { LAMBDAS, expectParamsMatch, makeOptimizer, makeParams, makeScheduler, momenta, readFixture, setGrads } from './torch-fixtures.ts';

const fixture = readFixture('schedulers');
// Relative error as defined in torch-fixtures.ts: max|actual − torch| / max|torch| per parameter tensor.
const TOLERANCE = { cpu: 1e-5, webgpu: 1e-4 } as const;
// Learning rates are host doubles computed by the same formulas as PyTorch's.
const LR_TOLERANCE = 1e-12;

function expectLrs(actual: number[], expected: number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((lr, i) => expect(Math.abs(lr - expected[i]), `${what}: lr ${lr} vs ${expected[i]}`).toBeLessThanOrEqual(LR_TOLERANCE * Math.abs(expected[i])));
}

beforeAll(async () => {
  await init('webgpu');
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(['cpu', 'webgpu'] as const)('ten epochs match PyTorch on %s (lr to 1e-12, parameters to 1e-5 on cpu, 1e-4 on webgpu)', (dev) => {
  for (const config of fixture.configs) {
    it(config.name, async () => {
      const params = makeParams(fixture, dev);
      const optimizer = makeOptimizer(config, params);
      const scheduler = makeScheduler(config, optimizer);
      expectLrs(scheduler.getLastLr(), config.initialLr!, `${config.name} at construction`);
      if (config.initialMomentum) expectLrs(momenta(optimizer), config.initialMomentum, `${config.name} momentum at construction`);
      for (let step = 0; step < config.steps.length; step++) {
        setGrads(fixture, params, step);
        optimizer.step();
        scheduler.step(config.metrics?.[step]);
        const expected = config.steps[step];
        expectLrs(scheduler.getLastLr(), expected.lr!, `${config.name} epoch ${step + 1}`);
        expectLrs(optimizer.paramGroups.map((g) => g.lr), expected.lr!, `${config.name} epoch ${step + 1} groups`);
        if (expected.momentum) expectLrs(momenta(optimizer), expected.momentum, `${config.name} epoch ${step + 1} momentum`);
        await expectParamsMatch(params, expected.params, TOLERANCE[dev], `${config.name} epoch ${step + 1}`);
      }
    });
  }
});

describe('LRScheduler', () => {
  const optimizer = (lr = 0.1) => new SGD([fromArray([1, 2], [2], { device: 'cpu', requiresGrad: true })], { lr });

  it('resumes from stateDict with the same learning rates', () => {
    const config = fixture.configs.find((c) => c.name === 'cosine-annealing-lr')!;
    const first = optimizer();
    const scheduler = new CosineAnnealingLR(first, 4, 0.01);
    for (let i = 0; i < 5; i++) {
      first.step();
      scheduler.step();
    }
    const resumedOptimizer = optimizer();
    resumedOptimizer.loadStateDict(first.stateDict());
    const resumed = new CosineAnnealingLR(resumedOptimizer, 4, 0.01);
    resumed.loadStateDict(scheduler.stateDict());
    for (let i = 5; i < 10; i++) {
      resumedOptimizer.step();
      resumed.step();
      expectLrs(resumed.getLastLr(), config.steps[i].lr!, `epoch ${i + 1}`);
    }
    expect(resumed.lastEpoch).toBe(10);
  });

  it('keeps each group\'s initial lr, so that a second scheduler starts from it', () => {
    const o = optimizer(0.1);
    new StepLR(o, 1, 0.5).step();
    expect(o.paramGroups[0].lr).toBe(0.05);
    const second = new StepLR(o, 2);
    expect(second.baseLrs).toEqual([0.1]);
  });

  it('warns when step() comes before optimizer.step()', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const o = optimizer();
    const scheduler = new StepLR(o, 1);
    expect(warn).not.toHaveBeenCalled();
    scheduler.step();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Detected call of `lr_scheduler.step()` before `optimizer.step()`'));
  });

  it("rejects bad factors and a resume without initial lr, in PyTorch's words", () => {
    expect(() => new LinearLR(optimizer(), 0)).toThrow('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    expect(() => new LinearLR(optimizer(), 0.5, 1.5)).toThrow('Ending multiplicative factor expected to be between 0 and 1.');
    expect(() => new StepLR(optimizer(), 3, 0.1, 4)).toThrow("param 'initial_lr' is not specified in param_groups[0] when resuming an optimizer");
  });

  it('is reachable as optim.lrScheduler, like torch.optim.lr_scheduler', () => {
    expect(optim.lrScheduler.StepLR).toBe(StepLR);
  });

  it('OneCycleLR, ReduceLROnPlateau and LambdaLR reject bad arguments in PyTorch\'s words', () => {
    expect(() => new OneCycleLR(optimizer(), 0.1)).toThrow('You must define either total_steps OR (epochs AND steps_per_epoch)');
    expect(() => new OneCycleLR(optimizer(), 0.1, { totalSteps: 0 })).toThrow('Expected positive integer total_steps, but got 0');
    expect(() => new OneCycleLR(optimizer(), 0.1, { epochs: 2, stepsPerEpoch: 1.5 })).toThrow('Expected positive integer steps_per_epoch, but got 1.5');
    expect(() => new OneCycleLR(optimizer(), 0.1, { totalSteps: 5, pctStart: 1.5 })).toThrow('Expected float between 0 and 1 pct_start, but got 1.5');
    expect(() => new OneCycleLR(optimizer(), 0.1, { totalSteps: 5, annealStrategy: 'exp' as never })).toThrow("anneal_strategy must by one of 'cos' or 'linear', instead got exp");
    expect(() => new OneCycleLR(optimizer(), [0.1, 0.2], { totalSteps: 5 })).toThrow('expected 1 values for max_lr, got 2');
    expect(() => new OneCycleLR(optimizer(), 0.1, { total: 5 } as never)).toThrow("OneCycleLR() got an unexpected keyword argument 'total'");
    const short = new OneCycleLR(optimizer(), 0.1, { totalSteps: 2, cycleMomentum: false });
    short.step();
    short.step();
    expect(() => short.step()).toThrow('Tried to step 3 times. The specified number of total steps is 2');
    expect(() => new ReduceLROnPlateau(optimizer(), { factor: 1 })).toThrow('Factor should be < 1.0.');
    expect(() => new ReduceLROnPlateau(optimizer(), { mode: 'mean' as never })).toThrow('mode mean is unknown!');
    expect(() => new ReduceLROnPlateau(optimizer(), { thresholdMode: 'x' as never })).toThrow('threshold mode x is unknown!');
    expect(() => new ReduceLROnPlateau(optimizer(), { minLr: [0, 0] })).toThrow('expected 1 min_lrs, got 2');
    expect(() => new ReduceLROnPlateau(optimizer(), { patiense: 2 } as never)).toThrow("ReduceLROnPlateau() got an unexpected keyword argument 'patiense'");
    expect(() => new ReduceLROnPlateau(optimizer()).step(fromArray([1], [1]) as never)).toThrow('expects the metric as a number');
    expect(() => new LambdaLR(optimizer(), [LAMBDAS.decay, LAMBDAS.warmup])).toThrow('Expected 1 lr_lambdas, but got 2');
  });

  it('OneCycleLR with cycleMomentum needs an optimizer with momentum or betas', () => {
    const noMomentum = { paramGroups: [{ params: [], lr: 0.1 }], defaults: { lr: 0.1 }, stepCount: 0 };
    expect(() => new OneCycleLR(noMomentum as never, 0.1, { totalSteps: 4 })).toThrow('optimizer must support momentum with `cycle_momentum` option enabled');
    const adam = new Adam([fromArray([1], [1], { requiresGrad: true })], { betas: [0.9, 0.99] });
    new OneCycleLR(adam, 0.1, { totalSteps: 4 });
    expect(adam.paramGroups[0].betas).toEqual([0.95, 0.99]);
  });

  for (const name of ['lambda-lr-groups', 'one-cycle-lr-adam-groups', 'reduce-lr-on-plateau-max-abs-cooldown-groups']) {
    it(`${name} resumes from stateDict (five steps, reload into fresh objects, five more)`, () => {
      const config = fixture.configs.find((c) => c.name === name)!;
      const params = makeParams(fixture, 'cpu');
      const firstOptimizer = makeOptimizer(config, params);
      const first = makeScheduler(config, firstOptimizer);
      for (let step = 0; step < 5; step++) {
        setGrads(fixture, params, step);
        firstOptimizer.step();
        first.step(config.metrics?.[step]);
      }
      const saved = first.stateDict();
      const optimizer = makeOptimizer(config, makeParams(fixture, 'cpu'));
      const resumed = makeScheduler(config, optimizer);
      optimizer.loadStateDict(firstOptimizer.stateDict());
      resumed.loadStateDict(saved);
      for (let step = 5; step < 10; step++) {
        optimizer.step();
        resumed.step(config.metrics?.[step]);
        expectLrs(resumed.getLastLr(), config.steps[step].lr!, `${name} resumed epoch ${step + 1}`);
        if (config.steps[step].momentum) expectLrs(momenta(optimizer), config.steps[step].momentum!, `${name} resumed momentum ${step + 1}`);
      }
    });
  }

  it('LambdaLR leaves its functions out of stateDict and keeps its own on load', () => {
    const scheduler = new LambdaLR(optimizer(), LAMBDAS.decay);
    expect(scheduler.stateDict()).not.toHaveProperty('lrLambdas');
    scheduler.loadStateDict({ ...scheduler.stateDict(), lrLambdas: null });
    expect(scheduler.lrLambdas).toEqual([LAMBDAS.decay]);
  });
});
