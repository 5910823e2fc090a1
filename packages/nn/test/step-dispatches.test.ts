import { expect, it } from 'vitest';
import { init, keep, tidy } from '@mini/tensor';
import { F } from '@mini/nn';
import { optim } from '@mini/optim';
import { NNModule, batch } from './threenet.ts';

it('a ThreeNet training step on webgpu records 25 dispatches (recording in-place ops for autograd added none)', async () => {
  const gpu = await init('webgpu');
  const model = new NNModule().to(gpu);
  const optimizer = new optim.SGD(model.parameters(), { lr: 1e-2 });
  const { data, labels } = batch(gpu);
  const target = labels.flatten();
  const step = () =>
    tidy(() => {
      optimizer.zeroGrad();
      const loss = F.nllLoss(model.forward(data), target);
      loss.backward();
      optimizer.step();
      return loss;
    });
  for (let i = 0; i < 2; i++) step().dispose();
  const before = gpu.gpu.dispatchCount;
  const loss = keep(step());
  // 25 on main before in-place ops were recorded (b7d57c7): the step is unchanged.
  expect(gpu.gpu.dispatchCount - before).toBe(25);
  expect(Number.isFinite(await loss.item())).toBe(true);
});
