import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fromArray, init } from '@mini/tensor';
import { CosineAnnealingLR, LinearLR, SGD, StepLR, optim } from '@mini/optim';
import { expectParamsMatch, makeOptimizer, makeParams, makeScheduler, readFixture, setGrads } from './torch-fixtures.ts';

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
      for (let step = 0; step < config.steps.length; step++) {
        setGrads(fixture, params, step);
        optimizer.step();
        scheduler.step();
        const expected = config.steps[step];
        expectLrs(scheduler.getLastLr(), expected.lr!, `${config.name} epoch ${step + 1}`);
        expectLrs(optimizer.paramGroups.map((g) => g.lr), expected.lr!, `${config.name} epoch ${step + 1} groups`);
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
});
