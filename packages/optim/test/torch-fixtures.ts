import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { fromArray, type DeviceLike, type Tensor } from '@mini/tensor';
import { testing } from '@mini/tensor/internal';
import { optim, type Optimizer } from '@mini/optim';

/** The fixtures written by scripts/fixtures/optim_fixtures.py with PyTorch. */
export interface TorchConfig {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';
  options: Record<string, unknown>;
  groups: ({ params: string[] } & Record<string, unknown>)[] | null;
  scheduler?: 'StepLR' | 'MultiStepLR' | 'ExponentialLR' | 'CosineAnnealingLR' | 'LinearLR' | 'LambdaLR' | 'OneCycleLR' | 'ReduceLROnPlateau';
  args?: unknown[];
  /** The scheduler's keyword arguments (mini's options object). */
  schedulerOptions?: Record<string, unknown>;
  /** LambdaLR's functions, by their names in LAMBDAS. */
  lambdas?: (keyof typeof LAMBDAS)[];
  /** ReduceLROnPlateau's metric at each step. */
  metrics?: number[];
  initialLr?: number[];
  /** OneCycleLR: each group's momentum (or beta1) at construction. */
  initialMomentum?: number[];
  steps: { params: Record<string, number[]>; lr?: number[]; momentum?: number[] }[];
}

/** The functions of the fixture script's LAMBDAS, by the same names. */
export const LAMBDAS = {
  decay: (epoch: number) => 0.9 ** epoch,
  warmup: (epoch: number) => Math.min(1, (epoch + 1) / 4),
};

/** What the fixtures' schedulers have in common: LRScheduler and ReduceLROnPlateau. */
export interface AnyScheduler {
  step(metric?: number): void;
  getLastLr(): number[];
  stateDict(): Record<string, unknown>;
  loadStateDict(state: Record<string, unknown>): void;
}

export interface TorchFixture {
  torch: string;
  shapes: Record<string, number[]>;
  initial: Record<string, number[]>;
  grads: Record<string, number[]>[];
  configs: TorchConfig[];
}

export function readFixture(name: 'optimizers' | 'schedulers'): TorchFixture {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as TorchFixture;
}

/** The fixture's parameters, as leaf tensors that require grad on `device`. */
export function makeParams(fixture: TorchFixture, device: DeviceLike): Record<string, Tensor> {
  return Object.fromEntries(
    Object.entries(fixture.initial).map(([name, data]) => [name, fromArray(data, fixture.shapes[name], { device, requiresGrad: true })]),
  );
}

export function makeOptimizer(config: TorchConfig, params: Record<string, Tensor>): Optimizer {
  const Kind = optim[config.optimizer];
  const spec = config.groups
    ? config.groups.map((g) => ({ ...g, params: g.params.map((n) => params[n]) }))
    : Object.values(params);
  return new Kind(spec as never, config.options) as unknown as Optimizer;
}

export function makeScheduler(config: TorchConfig, optimizer: Optimizer): AnyScheduler {
  const Kind = optim.lrScheduler[config.scheduler!] as unknown as new (o: Optimizer, ...args: unknown[]) => AnyScheduler;
  const lambdas = (config.lambdas ?? []).map((name) => LAMBDAS[name]);
  const args: unknown[] = [...(lambdas.length ? [lambdas.length === 1 ? lambdas[0] : lambdas] : []), ...config.args!];
  return new Kind(optimizer, ...args, ...(config.schedulerOptions ? [config.schedulerOptions] : []));
}

/** Each group's momentum, or beta1 for Adam, as the fixtures record them. */
export function momenta(optimizer: Optimizer): number[] {
  return optimizer.paramGroups.map((g) => {
    const group = g as unknown as { momentum?: number; betas?: number[] };
    return group.betas ? group.betas[0] : group.momentum!;
  });
}

/** Gives each parameter the gradient PyTorch's run gave it at `step`. */
export function setGrads(fixture: TorchFixture, params: Record<string, Tensor>, step: number): void {
  for (const [name, p] of Object.entries(params)) {
    p.grad?.dispose();
    p.grad = fromArray(fixture.grads[step][name], fixture.shapes[name], { device: p.device });
  }
}

/**
 * The relative error of a tensor against PyTorch's: max_i |actual_i − expected_i| / max_i |expected_i|
 * (the ∞-norm of the difference over the ∞-norm of the expected values).
 */
export const relativeError = testing.relativeError;

/** Checks every parameter after `step` against PyTorch's values. */
export async function expectParamsMatch(params: Record<string, Tensor>, expected: Record<string, number[]>, tolerance: number, what: string): Promise<void> {
  for (const [name, p] of Object.entries(params)) {
    const error = relativeError(await p.toArray(), expected[name]);
    expect(error, `${what}: ${name} relative error ${error.toExponential(2)} > ${tolerance}`).toBeLessThanOrEqual(tolerance);
  }
}
