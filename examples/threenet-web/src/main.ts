/**
 * The page: ThreeNet trained on the embedded MNIST sample with the seed's code (examples/threenet/training.ts), the
 * Node example's plots drawn live, a progress bar, Start/Pause/Resume and the downloads.
 * Settings come from the URL: ?epochs=20&batchSize=256&evalEvery=5&lr=0.01&momentum=0&steps=N
 * (steps: batches per epoch, all by default) &seed=0.
 */
import { Compose, DataLoader, FetchedMNIST, Grayscale, Normalize, ToTensor, type FetchProgress, type Resource } from '@mini/data';
import * as torch from '@mini/tensor';
import { drawChart } from './charts.ts';
import { PageRun, type RunState } from './page-run.ts';
import { computeGradientDescent, type ImageLoader } from '@mini/example-threenet/training';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const number = (name: string, fallback: number) => (params.has(name) ? Number(params.get(name)) : fallback);
const settings = {
  epochs: number('epochs', 20),
  batchSize: number('batchSize', 256),
  evalEvery: number('evalEvery', 5),
  lr: number('lr', 1e-2),
  momentum: number('momentum', 0),
  steps: params.has('steps') ? number('steps', 0) : null,
  seed: number('seed', 0),
};

function loadData(resources: readonly Resource[], onProgress: (p: FetchProgress) => void): readonly [ImageLoader, ImageLoader] {
  const transform = Compose([Grayscale(), ToTensor(), Normalize([0.5], [0.5])]);
  const base = new URL('sample/', location.href).toString();
  const trainDataSet = new FetchedMNIST(base, { train: true, transform, resources, onProgress });
  const testDataSet = new FetchedMNIST(base, { train: false, transform, resources, onProgress });
  const generator = new torch.Generator(settings.seed + 1);
  const trainLoader = new DataLoader(trainDataSet, { batchSize: settings.batchSize, shuffle: true, generator });
  const testLoader = new DataLoader(testDataSet, { batchSize: settings.batchSize, shuffle: false });
  return [trainLoader, testLoader];
}

function status(text: string): void {
  $('status').textContent = text;
}

/** Offers bytes as a file download. */
function download(bytes: BlobPart, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

let drawn = { losses: -1, accuracies: -1 };
function show(state: Readonly<RunState>): void {
  const bar = $<HTMLProgressElement>('bar');
  bar.max = state.epochs * state.stepsPerEpoch;
  bar.value = state.epoch * state.stepsPerEpoch + state.step;
  const rate = state.samplesPerSecond === null ? '' : `, ${state.samplesPerSecond.toFixed(0)} samples/s`;
  const loss = state.loss === null ? '' : `, loss ${state.loss.toFixed(4)}`;
  const best = state.bestAccuracy === null ? '' : `, best train accuracy ${(100 * state.bestAccuracy).toFixed(2)} %`;
  const test = state.testAccuracy === null ? '' : ` — test accuracy of the best model ${(100 * state.testAccuracy).toFixed(2)} %`;
  const what = state.done ? 'done' : state.paused ? 'paused at' : 'epoch';
  status(`${what} ${state.epoch + 1}/${state.epochs}, step ${state.step}/${state.stepsPerEpoch}${loss}${rate}${best}${test}`);
  $('status').dataset.testAccuracy = state.testAccuracy === null ? '' : String(state.testAccuracy);
  $('status').dataset.firstLoss = String(state.firstLoss ?? '');
  $('status').dataset.lastEpochLoss = String(state.lossList.at(-1) ?? '');
  $('status').dataset.done = String(state.done);
  const points = (values: number[], every: number) => values.map((y, i) => ({ x: (i + 1) * every, y }));
  if (state.lossList.length !== drawn.losses) {
    drawn.losses = state.lossList.length;
    void drawChart($('loss-chart'), { title: 'mnist-sample', ylabel: 'loss', xlabel: 'epoch', points: points(state.lossList, 1) });
  }
  if (state.accuracyList.length !== drawn.accuracies) {
    drawn.accuracies = state.accuracyList.length;
    const xlabel = `epoch (every ${settings.evalEvery})`;
    void drawChart($('accuracy-chart'), { title: 'training accuracy', ylabel: 'accuracy', xlabel, points: points(state.accuracyList, settings.evalEvery) });
  }
}

async function main(): Promise<void> {
  const device = await torch.init('webgpu');
  const info = device.gpu.adapterInfo as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  const subgroups = info.subgroupMinSize ? `, subgroups ${info.subgroupMinSize}-${info.subgroupMaxSize}` : '';
  $('device').textContent =
    `device: webgpu, adapter ${[info.vendor, info.architecture, info.description].filter(Boolean).join(' / ')}` +
    `; features: ${device.gpu.features.join(', ') || 'none'}${subgroups}; matmul kernel '${torch.matmulKernel(device.gpu)}'`;
  $('settings').textContent = `epochs ${settings.epochs}, batch ${settings.batchSize}, SGD lr ${settings.lr} momentum ${settings.momentum}, training accuracy every ${settings.evalEvery} epochs${settings.steps ? `, ${settings.steps} batches per epoch` : ''}`;
  torch.manualSeed(settings.seed);

  const resources = (await (await fetch('sample/resources.json')).json()) as Resource[];
  const received = new Map<string, FetchProgress>();
  const loaders = loadData(resources, (p) => {
    received.set(p.url, p);
    const all = [...received.values()];
    const total = all.reduce((n, q) => n + (q.total ?? 0), 0);
    $<HTMLProgressElement>('bar').max = total || 1;
    $<HTMLProgressElement>('bar').value = all.reduce((n, q) => n + q.loaded, 0);
    status(`loading the data: ${(all.reduce((n, q) => n + q.loaded, 0) / 1e6).toFixed(1)} MB`);
  });
  await Promise.all(loaders.map((loader) => loader.dataset.ready));
  status(`data: ${loaders[0].dataset.length} training and ${loaders[1].dataset.length} test images; press Start`);

  const trainSize = settings.steps ? Math.min(settings.steps * settings.batchSize, loaders[0].dataset.length) : loaders[0].dataset.length;
  const run = new PageRun({ epochs: settings.epochs, batchSize: settings.batchSize, evalEvery: settings.evalEvery, trainSize }, show);
  const [start, pause] = [$<HTMLButtonElement>('start'), $<HTMLButtonElement>('pause')];
  start.disabled = false;
  pause.onclick = () => {
    if (run.stopping) return;
    const paused = pause.textContent === 'Pause';
    pause.textContent = paused ? 'Resume' : 'Pause';
    if (paused) run.pause();
    else run.unpause();
  };
  $('download-best').onclick = () => run.bestBytes && download(run.bestBytes as Uint8Array<ArrayBuffer>, 'best.safetensors', 'application/octet-stream');
  $('download-metrics').onclick = () => download(run.metricsCsv(), 'metrics.csv', 'text/csv');
  start.onclick = async () => {
    start.disabled = true;
    pause.disabled = false;
    const config = { device: 'webgpu', optimizer: 'sgd', lr: settings.lr, momentum: settings.momentum, evalEvery: settings.evalEvery } as const;
    try {
      await computeGradientDescent(config, run, loaders, settings.epochs);
    } catch (error) {
      status(`error: ${(error as Error).message}`);
      throw error;
    } finally {
      pause.disabled = true;
      $<HTMLButtonElement>('download-best').disabled = run.bestBytes === null;
      $<HTMLButtonElement>('download-metrics').disabled = false;
    }
  };
}

main().catch((error: Error) => {
  status(`error: ${error.message}`);
  console.error(error);
});
