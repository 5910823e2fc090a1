/**
 * The seed's ThreeNet code (shared/seed/000_cc4706db796cad16.txt) that runs anywhere: the
 * network, the accuracy, and the training loop with its evaluation every N epochs and the best
 * model kept. It imports no Node module, so the program (threenet.ts) and the web page
 * (examples/threenet-web) run the same code; the Run each gives it does the reporting around it
 * (the kit's Run in Node, the page's PageRun in a browser).
 */
import { F, nn, type Module } from '@mini/nn';
import { optim, type Optimizer } from '@mini/optim';
import { noGrad } from '@mini/autograd';
import type { DataLoader } from '@mini/data';
import * as torch from '@mini/tensor';
import type { Tensor } from '@mini/tensor';

// input dimension
const D = 784;
// hidden layer sizes
const H1 = 200;
const H2 = 60;
// output classes
const K = 10;

/** A loader of [images, labels] batches. */
export type ImageLoader = DataLoader<[Tensor, number], [Tensor, Tensor]>;

/** The hyperparameters the loop reads. */
export interface TrainingConfig {
  device: torch.DeviceLike;
  optimizer: 'sgd' | 'adam';
  lr: number;
  momentum: number;
  evalEvery: number;
}

/** What the loop tells, and asks, the machinery around it: the kit's Run, or the page's. */
export interface TrainingRun {
  epoch: number;
  stopping: boolean;
  readonly stepsPerEpoch: number;
  begin(module: Module, optimizer: Optimizer, train: ImageLoader, test: ImageLoader): Promise<void>;
  restoreBest<M extends Module>(create: () => M): Promise<M | null>;
  startEpoch(epoch: number): Promise<void>;
  enumerate(loader: ImageLoader): AsyncGenerator<[number, [Tensor, Tensor]]>;
  afterStep(loss: Tensor, lastOfEpoch: boolean): Promise<void>;
  endEpoch(): void;
  recordAccuracy(accuracy: number, seconds: number): boolean;
  saveBest(module: Module): Promise<void>;
  finish(): Promise<void>;
  draw(): Promise<void>;
  summary(testAccuracy: number): void;
}

/** The mean over batches of each batch's accuracy, as the seed computes it (summed on the GPU, read once). */
export async function computeAccuracy(module: NNModule, dataLoader: ImageLoader): Promise<number> {
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

/** The seed's network: 784-200-60-10, ReLU, log_softmax. */
export class NNModule extends nn.Module {
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

/** The seed's training: `epoches` epochs, the training accuracy every evalEvery, the best model kept, then its test accuracy. */
export async function computeGradientDescent(
  config: TrainingConfig,
  run: TrainingRun,
  [trainLoader, testLoader]: readonly [ImageLoader, ImageLoader],
  epoches = 2000,
): Promise<void> {
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
