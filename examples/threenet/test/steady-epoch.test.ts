import { expect, it } from 'vitest';
import { init, tidy } from '@mini/tensor';
import { BufferPool } from '@mini/tensor/internal';
import { nn } from '@mini/nn';
import { optim } from '@mini/optim';
import { Compose, DataLoader, Grayscale, Normalize, ToTensor } from '@mini/data';
import { MNISTSample } from '@mini/mnist-sample';
import { readMNISTSample } from '@mini/mnist-sample/node';
import { NNModule } from '../training.ts';

it('an epoch of the example past the first two creates no GPU buffer, with more steps than the pool\'s idle window and a smaller last batch', async () => {
  const gpu = await init('webgpu');
  const sample = new MNISTSample(readMNISTSample(), { transform: Compose([Grayscale(), ToTensor(), Normalize([0.5], [0.5])]) });
  const model = new NNModule().to(gpu);
  const criterion = new nn.NLLLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 1e-2 });
  // 8,000 images in batches of 60: 133 full batches and one of 20, one submit each.
  const loader = new DataLoader(sample, { batchSize: 60, shuffle: true });
  const created: number[] = [];
  const submits: number[] = [];
  for (let epoch = 0; epoch < 3; epoch++) {
    const [buffers, submitted] = [gpu.gpu.pool.created, gpu.gpu.submitCount];
    for await (const [data, labels] of loader) {
      tidy(() => {
        const loss = criterion.forward(model.forward(data.reshape([data.size(0), -1])), labels);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
      });
    }
    created.push(gpu.gpu.pool.created - buffers);
    submits.push(gpu.gpu.submitCount - submitted);
  }
  // The idle window is counted in submits: an epoch longer than it is what used to lose the
  // once-per-epoch buffers (the shuffle's, the last batch's) to the idle trim.
  expect(Math.min(...submits)).toBeGreaterThan(BufferPool.idleSubmits);
  expect(created[0]).toBeGreaterThan(0);
  expect(created[2]).toBe(0);
});
