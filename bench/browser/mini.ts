/**
 * mini's ThreeNet step in the page, as the demo runs it: the demo's data (the embedded MNIST
 * sample fetched as IDX files, a shuffling DataLoader) and the seed's loop of
 * examples/threenet/training.ts (its model, NLLLoss, SGD), with a Run that times each step up to
 * the read of its loss (the demo reads every step's loss too) and stops after `steps`.
 * ?tune=off|quick|full sets the matmul tuner's mode (the page default is the library's, quick).
 */
import { Compose, DataLoader, FetchedMNIST, Grayscale, Normalize, ToTensor, type Resource } from '@mini/data';
import type { Module } from '@mini/nn';
import type { Optimizer } from '@mini/optim';
import * as torch from '@mini/tensor';
import { setTuneMode, tunerFor, type TuneMode } from '@mini/tensor/internal';
import { computeGradientDescent, type ImageLoader, type TrainingRun } from '@mini/example-threenet/training';
import { runPage, settings } from './settings.ts';

const pageStart = performance.now();

/** The seed's loop around one epoch of `steps` timed steps: no evaluation, no best model. */
class TimedRun implements TrainingRun {
  epoch = 0;
  stopping = false;
  readonly stepSeconds: number[] = [];
  readonly losses: number[] = [];
  firstStepStart = 0;
  private last = 0;

  constructor(readonly stepsPerEpoch: number) {}

  async begin(_module: Module, _optimizer: Optimizer, _train: ImageLoader, _test: ImageLoader): Promise<void> {}
  async restoreBest<M extends Module>(_create: () => M): Promise<M | null> {
    return null;
  }
  async startEpoch(): Promise<void> {
    this.firstStepStart = this.last = performance.now();
  }
  async *enumerate(loader: ImageLoader): AsyncGenerator<[number, [torch.Tensor, torch.Tensor]]> {
    let j = 0;
    for await (const batch of loader) {
      yield [j, batch];
      if (++j === this.stepsPerEpoch) break;
    }
  }
  async afterStep(loss: torch.Tensor): Promise<void> {
    this.losses.push(await loss.item());
    loss.dispose();
    const now = performance.now();
    this.stepSeconds.push((now - this.last) / 1000);
    this.last = now;
    if (this.stepSeconds.length === this.stepsPerEpoch) this.stopping = true;
  }
  endEpoch(): void {}
  recordAccuracy(): boolean {
    return false;
  }
  async saveBest(): Promise<void> {}
  async finish(): Promise<void> {}
  async draw(): Promise<void> {}
  summary(): void {}
}

runPage('mini', async () => {
  const tune = new URLSearchParams(location.search).get('tune');
  if (tune) setTuneMode(tune as TuneMode);
  const device = await torch.init('webgpu');
  const info = device.gpu.adapterInfo as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  const subgroups = info.subgroupMinSize ? `, subgroups ${info.subgroupMinSize}-${info.subgroupMaxSize}` : ', no subgroups';
  const backend = `webgpu: ${[info.vendor, info.architecture, info.description].filter(Boolean).join(' / ')}${subgroups}`;
  torch.manualSeed(0);

  const resources = (await (await fetch('sample/resources.json')).json()) as Resource[];
  const transform = Compose([Grayscale(), ToTensor(), Normalize([0.5], [0.5])]);
  const train = new FetchedMNIST(new URL('sample/', location.href).toString(), { train: true, transform, resources });
  await train.ready;
  const loader = new DataLoader(train, { batchSize: settings.batchSize, shuffle: true, generator: new torch.Generator(1) });

  const run = new TimedRun(settings.steps);
  const config = { device: 'webgpu', optimizer: 'sgd', lr: settings.lr, momentum: 0, evalEvery: 1_000_000 } as const;
  // the test loader is never read: the run stops before the loop's evaluation and test
  await computeGradientDescent(config, run, [loader, loader], 1);
  const tuner = tunerFor(device);
  await tuner.idle();
  const chosen = Object.entries(tuner.choices()).map(([cls, e]) => `\`${cls}\` ${e.kernel}`);
  const tuned = tuner.outcomes.length ? `tuned ${tuner.outcomes.length} shape classes here (${(tuner.outcomes.reduce((ms, o) => ms + o.elapsedMs, 0) / 1000).toFixed(1)} s)` : 'tuned nothing here';
  return {
    library: 'mini',
    backend,
    stepSeconds: run.stepSeconds,
    losses: run.losses,
    setupSeconds: (run.firstStepStart - pageStart) / 1000,
    tuner: `matmul heuristics '${torch.matmulKernel(device.gpu)}', ${tuned}; cache ${tuner.store.where}: ${chosen.join(', ') || 'empty'}`,
  };
});
