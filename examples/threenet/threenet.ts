/**
 * ThreeNet on MNIST: the PyTorch original (shared/seed/000_cc4706db796cad16.txt) ported part for
 * part. Run `pnpm example:threenet --help` for the options; the machinery around the seed's code
 * (flags, progress, checkpoints, plots) is the examples' shared kit, examples/kit.
 */
import { F, nn } from '@mini/nn';
import { optim } from '@mini/optim';
import { noGrad } from '@mini/autograd';
import { Compose, DataLoader, Grayscale, Normalize, ToTensor } from '@mini/data';
import * as torch from '@mini/tensor';
import type { Tensor } from '@mini/tensor';
import { helpText, openDatasets, parseConfig, Run, type Config, type Example, type ImageLoader } from '@mini/example-kit';

// batch size
const batchSize = 256;
// input dimension
const D = 784;
// hidden layer sizes
const H1 = 200;
const H2 = 60;
// output classes
const K = 10;

function loadData(config: Config, batchSize = 128, shuffle = false) {
  const transform = Compose([Grayscale(), ToTensor(), Normalize([0.5], [0.5])]);

  const [trainDataSet, testDataSet] = openDatasets(config, transform);

  const generator = new torch.Generator(config.seed + 1);
  const trainLoader = new DataLoader(trainDataSet, { batchSize, shuffle, generator });
  const testLoader = new DataLoader(testDataSet, { batchSize, shuffle: false });

  return [trainLoader, testLoader] as const;
}

/** The mean over batches of each batch's accuracy, as the seed computes it (summed on the GPU, read once). */
async function computeAccuracy(module: NNModule, dataLoader: ImageLoader): Promise<number> {
  let accuracy = torch.zeros([], { device: dataLoader.device });
  await noGrad(async () => {
    for await (const [data, labels] of dataLoader) {
      const next = torch.tidy(() => {
        const scores = module.forward(data.reshape([data.size(0), -1]));
        const predictions = torch.argmax(scores, 1);
        const res = predictions.eq(labels);
        return accuracy.add(res.sum().div(scores.size(0)));
      });
      accuracy.dispose();
      accuracy = next;
    }
  });
  const value = (await accuracy.item()) / dataLoader.length;
  accuracy.dispose();
  return value;
}

class NNModule extends nn.Module {
  fc1 = new nn.Linear(D, H1);
  fc2 = new nn.Linear(H1, H2);
  fc3 = new nn.Linear(H2, K);

  forward(input: Tensor): Tensor {
    let x = F.relu(this.fc1.forward(input));
    x = F.relu(this.fc2.forward(x));
    x = F.logSoftmax(this.fc3.forward(x), 1);
    return x;
  }

  copy(device: torch.DeviceLike): NNModule {
    return this.deepCopy().to(device);
  }
}

async function computeGradientDescent(config: Config, run: Run, batchSize = 8, epoches = 2000): Promise<void> {
  const [trainLoader, testLoader] = loadData(config, batchSize, config.shuffle);

  const device = torch.device(config.device);

  // the model
  const module = new NNModule().to(device);
  // the loss function
  const criterion = new nn.NLLLoss();
  // the optimizer
  const optimizer =
    config.optimizer === 'adam'
      ? new optim.Adam(module.parameters(), { lr: config.lr })
      : new optim.SGD(module.parameters(), { lr: config.lr, momentum: config.momentum });

  await run.begin(module, optimizer, trainLoader, testLoader);
  let bestModule = await run.restoreBest(() => new NNModule().to(device));

  // the batches of an epoch (fewer with --steps-per-epoch)
  const batchLen = run.stepsPerEpoch;
  for (let i = run.epoch; i < epoches && !run.stopping; i++) {
    await run.startEpoch(i);
    for await (const [j, [data, labels]] of run.enumerate(trainLoader)) {
      const loss = torch.tidy(() => {
        const scores = module.forward(data.reshape([data.size(0), -1]));
        const loss = criterion.forward(scores, labels);
        optimizer.zeroGrad();
        // back-propagation
        loss.backward();
        // gradient update
        optimizer.step();
        return loss;
      });
      await run.afterStep(loss, j === batchLen - 1);
      if (run.stopping) break;
    }
    if (run.stopping) break;
    run.endEpoch();
    if (i % config.evalEvery === config.evalEvery - 1) {
      // measure the training accuracy every evalEvery epochs
      const start = performance.now();
      const accuracy = await computeAccuracy(module, trainLoader);
      if (run.recordAccuracy(accuracy, (performance.now() - start) / 1000)) {
        bestModule?.dispose();
        bestModule = module.copy(device);
        await run.saveBest(bestModule);
      }
    }
  }
  await run.finish();
  if (run.stopping) return;

  await run.draw();

  const testAccuracy = await computeAccuracy(bestModule ?? module, testLoader);
  run.summary(testAccuracy);
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
  await computeGradientDescent(config, run, config.batchSize, config.epochs);
}

await Run.main(main);
