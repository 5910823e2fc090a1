import { expect, it } from 'vitest';
import { crossEntropy, init, keep, tidy, type Device, type Tensor } from '@mini/tensor';
import { F, nn } from '@mini/nn';
import { optim } from '@mini/optim';
import { testing } from '@mini/tensor/internal';
import { NNModule, batch, D, H1, H2, K } from './threenet.ts';

/** The labels of the dispatches one training step records (after two warm-up steps). */
function stepDispatches(gpu: Device, model: nn.Module, loss: (scores: Tensor) => Tensor): string[] {
  const optimizer = new optim.SGD(model.parameters(), { lr: 1e-2 });
  const { data } = batch(gpu);
  const step = () =>
    tidy(() => {
      optimizer.zeroGrad();
      const value = loss(model.forward(data) as Tensor);
      value.backward();
      optimizer.step();
      return keep(value.detach());
    });
  for (let i = 0; i < 2; i++) step().dispose();
  return testing.dispatchLabels(gpu.gpu, () => step().dispose());
}

it('a ThreeNet step as the seed writes it backpropagates in the dispatches of the hand-fused twin (Sequential, crossEntropy)', async () => {
  const gpu = await init('webgpu');
  const target = batch(gpu).labels.flatten();
  const seed = stepDispatches(gpu, new NNModule().to(gpu), (scores) => F.nllLoss(scores, target));
  const twinModel = new nn.Sequential(new nn.Linear(D, H1), new nn.ReLU(), new nn.Linear(H1, H2), new nn.ReLU(), new nn.Linear(H2, K)).to(gpu);
  const twin = stepDispatches(gpu, twinModel, (scores) => crossEntropy(scores, target));
  // Backward and update: nllLoss after logSoftmax and each ReLU after its Linear run as fused
  // rules (was 25 in all, with nllLoss.backward, logSoftmaxBackward and two reluBackward).
  const backward = (labels: string[]) => labels.slice(labels.findIndex((l) => l.endsWith('.backward')));
  expect(backward(twin)[0]).toBe('crossEntropy.backward');
  expect(backward(seed).slice(1)).toEqual(backward(twin).slice(1));
  expect(backward(seed)).toEqual([
    'nllLoss+logSoftmax.backward',
    ...['linear.backward', 'matmul', 'matmul', 'linear.backward', 'matmul', 'matmul', 'linear.backward', 'matmul'],
    ...Array(6).fill('optim.sgd'),
  ]);
  // Forward: F.relu after a Linear and logSoftmax then nllLoss are still dispatched one by one
  // (the twin's linear+relu and crossEntropy are single kernels): 7 against 4.
  expect(seed.slice(0, 7)).toEqual(['linear', 'relu', 'linear', 'relu', 'linear', 'logSoftmax', 'nllLoss']);
  expect(twin.slice(0, 4)).toEqual(['linear+relu', 'linear+relu', 'linear', 'crossEntropy']);
  expect([seed.length, twin.length]).toEqual([22, 19]);
});
