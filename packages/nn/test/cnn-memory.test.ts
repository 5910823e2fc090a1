import { beforeAll, expect, it } from 'vitest';
import { fromArray, init, manualSeed, memory, tidy } from '@mini/tensor';
import { F, nn } from '@mini/nn';
import { optim } from '@mini/optim';

// In a file of its own: memory() counts every tensor of the process (see training-memory.test.ts).
beforeAll(async () => {
  await init('webgpu');
});

it('trains a CNN (conv, batch norm, pooling, dropout, layer norm, embedding) in tidy() steps with flat memory', async () => {
  manualSeed(4);
  const features = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }),
    new nn.BatchNorm2d(4),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(4, 6, 3, { groups: 2 }),
    new nn.AvgPool2d(2, { padding: 1 }),
    new nn.AdaptiveAvgPool2d(2),
    new nn.Flatten(),
    new nn.Dropout(0.25),
    new nn.LayerNorm(24),
  );
  const head = new nn.Linear(24, 10);
  const embedding = new nn.Embedding(5, 3, { paddingIdx: 0 });
  const tokenHead = new nn.Linear(3, 10);
  const parameters = [features, head, embedding, tokenHead].flatMap((m) => m.parameters());
  const optimizer = new optim.SGD(parameters, { lr: 0.01, momentum: 0.9 });
  const x = fromArray(Float32Array.from({ length: 8 * 12 * 12 }, (_, i) => Math.sin(i)), [8, 1, 12, 12]);
  const tokens = fromArray(Int32Array.from({ length: 8 }, (_, i) => i % 5), [8], { dtype: 'int32' });
  const y = fromArray(Int32Array.from({ length: 8 }, (_, i) => i % 10), [8], { dtype: 'int32' });
  const step = async () => {
    const loss = tidy(() => {
      const logits = head.call(features.call(x)).add(tokenHead.call(embedding.call(tokens)));
      const l = F.crossEntropy(logits, y);
      optimizer.zeroGrad();
      l.backward();
      optimizer.step();
      return l;
    });
    expect(Number.isFinite(await loss.item())).toBe(true);
    loss.dispose();
  };
  await step(); // creates the gradients and the optimizer state
  await step();
  const before = memory();
  for (let i = 0; i < 5; i++) await step();
  const after = memory();
  expect(after.liveTensors).toBe(before.liveTensors);
  expect(after.liveBytes).toBe(before.liveBytes);
  expect(after.gpuBuffersCreated).toBe(before.gpuBuffersCreated);
});
