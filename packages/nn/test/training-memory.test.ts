import { beforeAll, expect, it } from 'vitest';
import { init, manualSeed, memory, tidy } from '@mini/tensor';
import { nn } from '@mini/nn';
import { optim } from '@mini/optim';
import { batch, NNModule } from './threenet.ts';

// In a file of its own: memory() counts every tensor of the process, and garbage that other
// tests leave for the FinalizationRegistry could be collected in the middle of the measurement.
beforeAll(async () => {
  await init('webgpu');
});

it('trains in tidy() steps with flat memory: live tensors, live bytes and GPU buffers', async () => {
  manualSeed(2);
  const module = new NNModule().to('webgpu');
  const criterion = new nn.NLLLoss();
  const optimizer = new optim.Adam(module.parameters(), { lr: 1e-3, amsgrad: true });
  const { data, labels } = batch('webgpu', 32);
  const target = labels.squeeze();
  const step = async () => {
    const loss = tidy(() => {
      const l = criterion.call(module.forward(data), target);
      optimizer.zeroGrad();
      l.backward();
      optimizer.step();
      return l;
    });
    await loss.item();
    loss.dispose();
  };
  await step(); // creates the gradients and the optimizer state
  await step();
  const before = memory();
  for (let i = 0; i < 10; i++) await step();
  const after = memory();
  expect(after.liveTensors).toBe(before.liveTensors);
  expect(after.liveBytes).toBe(before.liveBytes);
  expect(after.gpuBuffersCreated).toBe(before.gpuBuffersCreated);
});
