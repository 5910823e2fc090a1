import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  add_,
  fromArray,
  keep,
  linear,
  memory,
  nllLoss,
  randint,
  randn,
  tidy,
  zeros,
  Generator,
  type Device,
  type MemoryInfo,
  type Tensor,
} from '@mini/tensor';
import { webgpu } from './helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

describe('memory stays flat in a loop', () => {
  it('1,000 iterations of a training-like step inside tidy() keep live tensors, live bytes and GPU buffers constant', async () => {
    const g = new Generator(1);
    const x = randn([64, 50], { device: gpu, generator: g });
    const w1 = randn([40, 50], { device: gpu, generator: g });
    const b1 = randn([40], { device: gpu, generator: g });
    const w2 = randn([10, 40], { device: gpu, generator: g });
    const targets = randint(0, 10, [64], { device: gpu, generator: g });
    const total = zeros([], { device: gpu });
    const step = () =>
      tidy(() => {
        const h = linear(x, w1, b1, true);
        const logp = linear(h, w2).logSoftmax(1);
        const loss = nllLoss(logp, targets);
        const accuracy = logp.argmax(1).eq(targets).float().mean();
        add_(total, loss.add(accuracy.mul(0)));
      });
    const samples: MemoryInfo[] = [];
    for (let i = 1; i <= 1000; i++) {
      step();
      if (i % 100 === 0) {
        await total.item(); // a readback each 100 steps, like logging the loss
        samples.push(memory());
      }
    }
    for (const sample of samples) {
      expect(sample.liveTensors).toBe(samples[0].liveTensors);
      expect(sample.liveBytes).toBe(samples[0].liveBytes);
    }
    // Released buffers wait for the next submit before reuse, so the pool grows until it holds
    // what the worst-aligned submit releases (reached within the first 200 steps), then stops.
    for (const sample of samples.slice(2)) expect(sample.gpuBuffersCreated).toBe(samples[1].gpuBuffersCreated);
    expect(Number.isFinite(await total.item())).toBe(true);
  });
});

describe('dispose, tidy and keep', () => {
  it('dispose() frees the tensor once and is idempotent', async () => {
    const before = memory();
    const t = fromArray(new Float32Array(1000), [1000], { device: gpu });
    expect(memory().liveTensors).toBe(before.liveTensors + 1);
    expect(memory().liveBytes).toBe(before.liveBytes + 4000);
    t.dispose();
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(memory().liveTensors).toBe(before.liveTensors);
    expect(memory().liveBytes).toBe(before.liveBytes);
  });

  it('using a disposed tensor raises a clear error', async () => {
    const t = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device: gpu });
    t.dispose();
    const message = 'Tensor of shape [2, 3] was used after dispose()';
    expect(() => t.add(1)).toThrow(message);
    expect(() => t.view(6)).toThrow(message);
    await expect(t.toArray()).rejects.toThrow(message);
    const c = fromArray([1], [1], { device: 'cpu' });
    c.dispose();
    expect(() => c.exp()).toThrow('Tensor of shape [1] was used after dispose()');
  });

  it('a view keeps the storage alive after its base is disposed', async () => {
    const before = memory().liveBytes;
    const base = fromArray([1, 2, 3, 4], [2, 2], { device: gpu });
    const row = base.narrow(0, 1, 1);
    base.dispose();
    expect(memory().liveBytes).toBe(before + 16);
    expect(Array.from(await row.toArray())).toEqual([3, 4]);
    row.dispose();
    expect(memory().liveBytes).toBe(before);
  });

  it('tidy() disposes what it created, except what it returns (alone, in arrays and objects) and what keep() marks', () => {
    const before = memory().liveTensors;
    const outside = fromArray([1, 2], [2], { device: gpu });
    let inner: Tensor | null = null;
    let kept: Tensor | null = null;
    const result = tidy(() => {
      inner = outside.add(1).mul(2);
      kept = keep(outside.neg());
      const nested = tidy(() => ({ a: outside.exp(), b: [outside.sqrt()], dropped: undefined }));
      return { sum: inner.add(1), nested };
    });
    expect(inner!.isDisposed).toBe(true);
    expect(kept!.isDisposed).toBe(false);
    expect(outside.isDisposed).toBe(false);
    expect(result.sum.isDisposed).toBe(false);
    expect(result.nested.a.isDisposed).toBe(false);
    expect(result.nested.b[0].isDisposed).toBe(false);
    expect(memory().liveTensors).toBe(before + 5); // outside, kept, sum, a, b
    for (const t of [outside, kept!, result.sum, result.nested.a, result.nested.b[0]]) t.dispose();
    expect(memory().liveTensors).toBe(before);
  });

  it('tidy() frees what it created when its function throws, and refuses async functions', () => {
    const before = memory().liveTensors;
    const x = fromArray([1], [1], { device: gpu });
    expect(() =>
      tidy(() => {
        x.add(1).mul(3);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(memory().liveTensors).toBe(before + 1);
    expect(() => tidy(async () => x.add(1))).toThrow('tidy() takes a synchronous function; await outside of it');
    x.dispose();
  });

  it('tensors dropped without dispose() release their storage once garbage-collected (the FinalizationRegistry backstop)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // Holding a tensor's storage does not keep the tensor itself alive.
    const storages = (() => {
      const dropped = Array.from({ length: 10 }, (_, i) => fromArray(new Float32Array(256), [256], { device: i % 2 ? gpu : 'cpu' }).exp());
      return dropped.map((t) => t.storage);
    })();
    expect(storages.some((s) => s.released)).toBe(false);
    // Finalizers run in a task after a collection; a few rounds are plenty.
    for (let round = 0; round < 20 && !storages.every((s) => s.released); round++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(storages.every((s) => s.released)).toBe(true);
  });

  it('disposed GPU buffers return to the pool and are reused', async () => {
    const make = () => tidy(() => fromArray(new Float32Array(4096), [4096], { device: gpu }).add(1).mul(2).sum());
    await make().item();
    const created = memory().gpuBuffersCreated;
    for (let i = 0; i < 20; i++) await make().item();
    expect(memory().gpuBuffersCreated).toBe(created);
    expect(memory().pooledBytes).toBeGreaterThan(0);
  });
});
