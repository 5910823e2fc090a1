import { beforeAll, describe, expect, it } from 'vitest';
import { init, manualSeed, setDefaultDevice } from '@mini/tensor';
import { testing } from '@mini/tensor/internal';
import { nn } from '@mini/nn';
import { optim } from '@mini/optim';
import { batch, batchSize, NNModule } from './threenet.ts';

const learningRate = 1e-2; // the seed's
const STEPS = 3;

beforeAll(async () => {
  await init('webgpu');
  setDefaultDevice('cpu');
});

/** The seed's training step, as written there: forward, criterion, zero_grad, backward, step. */
async function train(module: NNModule, device: 'cpu' | 'webgpu', size = batchSize): Promise<number[]> {
  const criterion = new nn.NLLLoss().to(device);
  const optimizer = new optim.SGD(module.parameters(), { lr: learningRate });
  const { data, labels } = batch(device, size);
  const losses: number[] = [];
  for (let j = 0; j < STEPS; j++) {
    const scores = module.forward(data);
    const loss = criterion.call(scores, labels.squeeze());
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    losses.push(await loss.item());
  }
  return losses;
}

/** max|a − b| / max|b| */
const relativeError = testing.relativeError;

describe('the seed ThreeNet, ported line for line', () => {
  it('trains with SGD on webgpu as on cpu (losses and weights within 1e-4 relative error)', async () => {
    manualSeed(0);
    const onCpu = new NNModule();
    const onGpu = onCpu.deepCopy().to('webgpu');
    const cpuLosses = await train(onCpu, 'cpu');
    const gpuLosses = await train(onGpu, 'webgpu');
    expect(cpuLosses[0]).toBeGreaterThan(2);
    expect(cpuLosses[STEPS - 1]).toBeLessThan(cpuLosses[0]);
    expect(relativeError(gpuLosses, cpuLosses)).toBeLessThanOrEqual(1e-4);
    const gpuParams = onGpu.namedParameters();
    for (const [i, [name, p]] of onCpu.namedParameters().entries()) {
      expect(gpuParams[i][0]).toBe(name);
      const error = relativeError(await gpuParams[i][1].toArray(), await p.toArray());
      expect(error, `${name}: ${error}`).toBeLessThanOrEqual(1e-4);
    }
  });

  it('keeps the best model as an independent copy, which predicts on its own', async () => {
    manualSeed(1);
    const module = new NNModule().to('webgpu');
    const bestModule = module.deepCopy();
    const { data } = batch('webgpu', 32);
    const before = await bestModule.forward(data).argmax(1).toArray();
    const weights = await bestModule.fc1.weight.toArray();
    await train(module, 'webgpu', 32);
    expect(Array.from(await bestModule.fc1.weight.toArray())).toEqual(Array.from(weights));
    expect(Array.from(await bestModule.forward(data).argmax(1).toArray())).toEqual(Array.from(before));
    expect(Array.from(await module.fc1.weight.toArray())).not.toEqual(Array.from(weights));
  });
});
