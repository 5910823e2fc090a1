/**
 * LeNet-5 on MNIST, written as a PyTorch user writes it (the CIFAR-10 tutorial's network, on
 * 28×28 digits: conv1 pads by 2). Run `pnpm example:lenet --help` for the options; the machinery
 * around the training loop (flags, progress, checkpoints, plots) is the examples' shared kit,
 * examples/kit, the same as ThreeNet's.
 */
import { F, nn } from '@mini/nn';
import { optim } from '@mini/optim';
import { noGrad } from '@mini/autograd';
import { Compose, DataLoader, Normalize, ToTensor } from '@mini/data';
import * as torch from '@mini/tensor';
import type { Tensor } from '@mini/tensor';
import { helpText, openDatasets, parseConfig, Run, type Config, type Example, type ImageLoader } from '@mini/example-kit';

const LENET: Example = {
  name: 'lenet',
  title: 'LeNet',
  about:
    'Trains LeNet-5 (conv 1→6 5×5 pad 2, max pool 2, conv 6→16 5×5, max pool 2, 400-120-84-10, ReLU,\n' +
    'CrossEntropyLoss) with SGD and momentum, and reports the test accuracy as correct/total.',
  defaults: { epochs: 10, batchSize: 64, lr: 0.01, momentum: 0.9, evalEvery: 1 },
  firstWeight: 'conv1.weight',
};

class LeNet extends nn.Module {
  conv1 = new nn.Conv2d(1, 6, 5, { padding: 2 });
  conv2 = new nn.Conv2d(6, 16, 5);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);

  forward(x: Tensor): Tensor {
    x = F.maxPool2d(F.relu(this.conv1.forward(x)), 2);
    x = F.maxPool2d(F.relu(this.conv2.forward(x)), 2);
    x = torch.flatten(x, 1);
    x = F.relu(this.fc1.forward(x));
    x = F.relu(this.fc2.forward(x));
    return this.fc3.forward(x);
  }
}

function loadData(config: Config) {
  const transform = Compose([ToTensor(), Normalize([0.5], [0.5])]);
  const [trainSet, testSet] = openDatasets(config, transform);
  const generator = new torch.Generator(config.seed + 1);
  const trainLoader = new DataLoader(trainSet, { batchSize: config.batchSize, shuffle: config.shuffle, generator });
  const testLoader = new DataLoader(testSet, { batchSize: config.batchSize, shuffle: false });
  return [trainLoader, testLoader] as const;
}

/** The predictions of net that match the labels, and how many images there were (counted on the GPU, read once). */
async function countCorrect(net: LeNet, loader: ImageLoader): Promise<{ correct: number; total: number }> {
  let correct = torch.zeros([], { device: loader.device, dtype: 'int32' });
  let total = 0;
  await noGrad(async () => {
    for await (const [images, labels] of loader) {
      const next = torch.tidy(() => {
        const outputs = net.forward(images);
        const predicted = torch.argmax(outputs, 1);
        return correct.add(predicted.eq(labels).sum());
      });
      correct.dispose();
      correct = next;
      total += labels.size(0);
    }
  });
  const count = await correct.item();
  correct.dispose();
  return { correct: count, total };
}

async function train(config: Config, run: Run): Promise<void> {
  const [trainLoader, testLoader] = loadData(config);
  const device = torch.device(config.device);

  const net = new LeNet().to(device);
  const criterion = new nn.CrossEntropyLoss();
  const optimizer =
    config.optimizer === 'adam'
      ? new optim.Adam(net.parameters(), { lr: config.lr })
      : new optim.SGD(net.parameters(), { lr: config.lr, momentum: config.momentum });

  await run.begin(net, optimizer, trainLoader, testLoader);
  let bestNet = await run.restoreBest(() => new LeNet().to(device));

  for (let epoch = run.epoch; epoch < config.epochs && !run.stopping; epoch++) {
    await run.startEpoch(epoch);
    for await (const [i, [inputs, labels]] of run.enumerate(trainLoader)) {
      const loss = torch.tidy(() => {
        optimizer.zeroGrad();
        const outputs = net.forward(inputs);
        const loss = criterion.forward(outputs, labels);
        loss.backward();
        optimizer.step();
        return loss;
      });
      await run.afterStep(loss, i === run.stepsPerEpoch - 1);
      if (run.stopping) break;
    }
    if (run.stopping) break;
    run.endEpoch();
    if (epoch % config.evalEvery === config.evalEvery - 1) {
      // the training accuracy picks the net that is kept (best.safetensors) and tested
      const start = performance.now();
      const { correct, total } = await countCorrect(net, trainLoader);
      if (run.recordAccuracy(correct / total, (performance.now() - start) / 1000)) {
        bestNet?.dispose();
        bestNet = net.deepCopy();
        await run.saveBest(bestNet);
      }
    }
  }
  await run.finish();
  if (run.stopping) return;

  await run.draw();
  run.summary(await countCorrect(bestNet ?? net, testLoader));
}

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2), LENET);
  if (!config) {
    process.stdout.write(helpText(LENET));
    return;
  }
  await torch.init(config.device);
  torch.manualSeed(config.seed);
  await train(config, new Run(LENET, config));
}

await Run.main(main);
