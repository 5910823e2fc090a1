/**
 * ThreeNet on MNIST: the PyTorch original (shared/seed/000_cc4706db796cad16.txt) ported part for
 * part. Run `pnpm example:threenet --help` for the options. The network, its accuracy and the
 * training loop are in training.ts, which runs anywhere (the web page, examples/threenet-web,
 * trains with it too); the machinery around the seed's code (flags, progress, checkpoints,
 * plots) is the examples' shared kit, examples/kit.
 */
import { Compose, DataLoader, Grayscale, Normalize, ToTensor } from '@mini/data';
import * as torch from '@mini/tensor';
import { helpText, openDatasets, parseConfig, Run, type Config, type Example } from '@mini/example-kit';
import { computeGradientDescent } from './training.ts';

// batch size
const batchSize = 256;

function loadData(config: Config, batchSize = 128, shuffle = false) {
  const transform = Compose([Grayscale(), ToTensor(), Normalize([0.5], [0.5])]);

  const [trainDataSet, testDataSet] = openDatasets(config, transform);

  const generator = new torch.Generator(config.seed + 1);
  const trainLoader = new DataLoader(trainDataSet, { batchSize, shuffle, generator });
  const testLoader = new DataLoader(testDataSet, { batchSize, shuffle: false });

  return [trainLoader, testLoader] as const;
}

// the program: its name, and the seed's hyperparameters as the defaults of its flags
const THREENET: Example = {
  name: 'threenet',
  title: 'ThreeNet',
  about: 'Trains ThreeNet (784-200-60-10, ReLU, log_softmax, NLLLoss) as in the PyTorch original.',
  defaults: { epochs: 200, batchSize, lr: 1e-2, momentum: 0, evalEvery: 20 },
  notes: { epochs: "about a minute on the software GPU; the seed's full run is 500", evalEvery: 'as in the seed' },
  firstWeight: 'fc1.weight',
};

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2), THREENET);
  if (!config) {
    process.stdout.write(helpText(THREENET));
    return;
  }
  await torch.init(config.device);
  torch.manualSeed(config.seed);
  const run = new Run(THREENET, config);
  const loaders = loadData(config, config.batchSize, config.shuffle);
  await computeGradientDescent(config, run, loaders, config.epochs);
}

await Run.main(main);
