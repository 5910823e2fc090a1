import { expect, it } from 'vitest';
import { crossEntropy, indexSelect, init, keep, normalizeBytes, randperm, tidy, type Device, type Tensor } from '@mini/tensor';
import { testing } from '@mini/tensor/internal';
import { nn } from '@mini/nn';
import { optim } from '@mini/optim';
import { Compose, DataLoader, Grayscale, Normalize, ToTensor } from '@mini/data';
import { MNISTSample } from '@mini/mnist-sample';
import { readMNISTSample } from '@mini/mnist-sample/node';
import { NNModule } from '../training.ts';

/** The labels of the dispatches a training step submits, the third of three (the first ones make what is kept: the implicit gradient 1). */
async function thirdStep(gpu: Device, step: () => void): Promise<string[]> {
  step();
  step();
  return testing.dispatchLabels(gpu.gpu, step);
}

it('a training step of the example as the seed writes it takes no more dispatches than the hand-fused twin', async () => {
  const gpu = await init('webgpu');
  const sample = new MNISTSample(readMNISTSample(), { transform: Compose([Grayscale(), ToTensor(), Normalize([0.5], [0.5])]) });

  // The example: DataLoader, F.relu after each Linear, F.logSoftmax, nn.NLLLoss, optimizer.step().
  const model = new NNModule().to(gpu);
  const criterion = new nn.NLLLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 1e-2 });
  const batches = new DataLoader(sample, { batchSize: 256, shuffle: true })[Symbol.asyncIterator]();
  let batch: [Tensor, Tensor] = (await batches.next()).value;
  const seed = await thirdStep(gpu, () => {
    const [data, labels] = batch;
    tidy(() => {
      const loss = criterion.forward(model.forward(data.reshape([data.size(0), -1])), labels);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    });
  });
  // The DataLoader made this step's batch (recorded before the step): one kernel, images and labels.
  const loaded = await testing.dispatchLabels(gpu.gpu, async () => (batch = (await batches.next()).value));
  await batches.return?.(undefined);

  // The twin (bench/threenet.ts): Sequential (fused linear+relu), crossEntropy, the batch gathered by normalizeBytes and indexSelect.
  const twinModel = new nn.Sequential(new nn.Linear(784, 200), new nn.ReLU(), new nn.Linear(200, 60), new nn.ReLU(), new nn.Linear(60, 10)).to(gpu);
  const twinOptimizer = new optim.SGD(twinModel.parameters(), { lr: 1e-2 });
  const images = keep(sample.data.to(gpu));
  const targets = keep(sample.targets.to(gpu));
  const order = keep(randperm(sample.length, { device: gpu }));
  const twin = await thirdStep(gpu, () => {
    tidy(() => {
      const index = order.narrow(0, 0, 256);
      const x = normalizeBytes(images, { index, mean: 0.5, std: 0.5 });
      const y = indexSelect(targets, 0, index);
      twinOptimizer.zeroGrad();
      const loss = crossEntropy(twinModel.forward(x.view([256, 784])) as Tensor, y);
      loss.backward();
      twinOptimizer.step();
    });
  });

  expect(loaded).toEqual(['normalizeBytes']);
  expect(twin.slice(0, 2)).toEqual(['normalizeBytes', 'gather']);
  const forward = ['linear+relu', 'linear+relu', 'linear'];
  // SGD updates up to three parameters a dispatch: fc1's weight and bias with fc2's weight, fc2's
  // bias with fc3's weight, and fc3's bias alone (10 elements: not read as vec4, not grouped).
  const backward = [...['linear.backward', 'matmul', 'matmul', 'linear.backward', 'matmul', 'matmul', 'linear.backward', 'matmul'], ...Array(3).fill('optim.sgd')];
  // relu(linear(x)) takes the ReLU into the product's epilogue at submit, and nllLoss the
  // logSoftmax before it into one dispatch; nllLoss after logSoftmax and each ReLU after its Linear
  // backpropagate in fused rules. Step for step the twin's count, one kernel for one.
  expect(seed).toEqual([...forward, 'logSoftmax+nllLoss', 'nllLoss+logSoftmax.backward', ...backward]);
  expect(twin.slice(2)).toEqual([...forward, 'crossEntropy', 'crossEntropy.backward', ...backward]);
  expect(loaded.length + seed.length).toBeLessThanOrEqual(twin.length);
});
