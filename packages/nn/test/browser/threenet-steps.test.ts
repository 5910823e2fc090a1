/**
 * The seed's ThreeNet trained in a web page (`pnpm test:browser`, headless Chromium): from the
 * weights of fixtures/threenet_torch.safetensors, five SGD steps on the batches of
 * fixtures/threenet_sgd_batches.safetensors give PyTorch's losses (fixtures/threenet_sgd.json,
 * written by scripts/fixtures/threenet_sgd_steps.py) to 1e-4 relative error.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { init, type Device } from '@mini/tensor';
import { testing } from '@mini/tensor/internal';
import { deserialize, nn } from '@mini/nn';
import { optim } from '@mini/optim';
import { NNModule } from '../threenet.ts';
import fixture from '../fixtures/threenet_sgd.json';

/** A fixture's bytes, fetched from the test server as a page fetches any file. */
async function fixtureBytes(name: string): Promise<Uint8Array> {
  const response = await fetch(new URL(`../fixtures/${name}`, import.meta.url));
  if (!response.ok) throw new Error(`fetching fixture ${name}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

let gpu: Device;
beforeAll(async () => {
  gpu = await init('webgpu');
});

describe('ThreeNet in the page', () => {
  it(`takes ${fixture.steps} SGD steps with PyTorch's losses (relative error ≤ 1e-4)`, async () => {
    const module = new NNModule();
    const weights = deserialize(await fixtureBytes('threenet_torch.safetensors'), { file: 'threenet_torch.safetensors' });
    expect(module.loadStateDict(weights.tensors)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    module.to(gpu);
    const batches = deserialize(await fixtureBytes('threenet_sgd_batches.safetensors'), { device: gpu }).tensors;
    const criterion = new nn.NLLLoss();
    const optimizer = new optim.SGD(module.parameters(), { lr: fixture.lr });

    const losses: number[] = [];
    for (let step = 0; step < fixture.steps; step++) {
      const rows = [step * fixture.batchSize, fixture.batchSize] as const;
      // ToTensor + Normalize(0.5, 0.5), as the PyTorch script does it
      const data = batches.images.narrow(0, ...rows).float().div(255).sub(0.5).div(0.5);
      const labels = batches.labels.narrow(0, ...rows);
      const loss = criterion.forward(module.forward(data), labels);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      losses.push(await loss.item());
    }
    const error = testing.relativeError(losses, fixture.losses);
    expect(error, `losses ${losses} vs PyTorch's ${fixture.losses}`).toBeLessThanOrEqual(1e-4);
  });
});
