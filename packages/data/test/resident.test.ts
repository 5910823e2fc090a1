import { beforeAll, describe, expect, it, vi } from 'vitest';
import { arange, device, fromArray, Generator, init, keep, memory, type Device, type Tensor } from '@mini/tensor';
import { Compose, DataLoader, Dataset, Normalize, randomSplit, TensorDataset, ToTensor } from '@mini/data';
import { MNISTSample } from '@mini/mnist-sample';
import { readMNISTSample } from '@mini/mnist-sample/node';

let gpu: Device;
beforeAll(async () => {
  // A test that finds no WebGPU adapter fails here: it never skips.
  gpu = await init('webgpu');
});

const train = new MNISTSample(readMNISTSample(), { train: true, transform: Compose([ToTensor(), Normalize([0.5], [0.5])]) });

/** The same items behind a plain Dataset, which the loader can only batch item by item. */
class ItemByItem<T> extends Dataset<T> {
  constructor(private readonly inner: Dataset<T>) {
    super();
  }
  get length(): number {
    return this.inner.length;
  }
  getItem(index: number): T {
    return this.inner.getItem(index);
  }
}

/** Runs one epoch; returns the number of batches and the uploads made meanwhile. */
async function epochUploads(loader: DataLoader<[Tensor, number]>, on: Device): Promise<{ batches: number; uploads: number }> {
  const upload = vi.spyOn(on.gpu, 'upload');
  let batches = 0;
  try {
    for await (const [x, y] of loader) {
      batches++;
      expect(x.device).toBe(on);
      expect(y.device).toBe(on);
    }
    return { batches, uploads: upload.mock.calls.length };
  } finally {
    upload.mockRestore();
  }
}

describe('GPU-resident batches (MNISTSample, ToTensor + Normalize)', () => {
  it('yields [data [B, 1, 28, 28] float32, labels [B] int32] on the default device', async () => {
    const loader = new DataLoader(train, { batchSize: 256 });
    expect(loader.device).toBe(gpu);
    expect(loader.length).toBe(32);
    let last: [Tensor, Tensor] | null = null;
    for await (const batch of loader) last = batch;
    expect(last!.every((t) => t.isDisposed)).toBe(true);
    for await (const batch of loader) last = [keep(batch[0]), keep(batch[1])];
    const [x, y] = last!;
    expect(x.shape).toEqual([8000 - 31 * 256, 1, 28, 28]);
    expect(x.dtype).toBe('float32');
    expect(y.shape).toEqual([64]);
    expect(y.dtype).toBe('int32');
    // The sample is in class order and unshuffled here: the last 64 training images are nines.
    expect(new Set(await y.toArray())).toEqual(new Set([9]));
    const pixels = await x.toArray();
    expect(Math.min(...pixels)).toBe(-1);
    expect(Math.max(...pixels)).toBe(1);
  });

  it('uploads the images and labels once and the order once per epoch: no upload per batch', async () => {
    const other = new MNISTSample(readMNISTSample(), { train: false, transform: Compose([ToTensor(), Normalize([0.5], [0.5])]) });
    const first = new DataLoader(other, { batchSize: 100, device: gpu });
    // images + labels + the epoch's order, then only the order, whatever the number of batches.
    expect(await epochUploads(first, gpu)).toEqual({ batches: 20, uploads: 3 });
    expect(await epochUploads(first, gpu)).toEqual({ batches: 20, uploads: 1 });
    // A second loader over an already-uploaded dataset shares its copy.
    expect(await epochUploads(new DataLoader(other, { batchSize: 7, device: gpu }), gpu)).toEqual({ batches: 286, uploads: 1 });
    const shuffled = new DataLoader(other, { batchSize: 256, shuffle: true, generator: new Generator(1), device: gpu });
    expect(await epochUploads(shuffled, gpu)).toEqual({ batches: 8, uploads: 1 });
    // By contrast, the per-item path uploads data and labels for every batch.
    expect(await epochUploads(new DataLoader(new ItemByItem(other), { batchSize: 500, device: gpu }), gpu)).toEqual({ batches: 4, uploads: 8 });
  });

  it('releases each batch when the next is drawn: live tensors stay at one batch through the epoch', async () => {
    const loader = new DataLoader(train, { batchSize: 1000, shuffle: true, device: gpu });
    for await (const _ of loader) break; // the dataset's one-time upload
    const before = memory().liveTensors;
    let batches = 0;
    for await (const [x] of loader) {
      batches++;
      // data and labels, plus the epoch's order held by the resident path
      expect(memory().liveTensors - before, `batch ${batches}`).toBe(3);
      expect(x.isDisposed).toBe(false);
    }
    expect(batches).toBe(8);
    expect(memory().liveTensors).toBe(before);
  });

  for (const where of ['webgpu', 'cpu'] as const) {
    it(`on ${where}, batches equal the per-item path's: same seed, same order, values within 1e-6`, async () => {
      const on = device(where);
      // A random subset also checks that Subset indices reach the resident gather.
      const [subset] = randomSplit(train, [1000, 7000], new Generator(5));
      const options = { batchSize: 300, shuffle: true, device: on };
      const resident = new DataLoader(subset, { ...options, generator: new Generator(9) });
      const perItem = new DataLoader(new ItemByItem(subset), { ...options, generator: new Generator(9) });
      for (let epoch = 0; epoch < 2; epoch++) {
        const expected: [Tensor, Tensor][] = [];
        for await (const [ex, ey] of perItem) expected.push([keep(ex), keep(ey)]);
        let b = 0;
        for await (const [x, y] of resident) {
          const [ex, ey] = expected[b++];
          expect(x.device).toBe(on);
          expect(x.shape).toEqual(ex.shape);
          expect(Array.from(await y.toArray())).toEqual(Array.from(await ey.toArray()));
          const [got, want] = [await x.toArray(), await ex.toArray()];
          let worst = 0;
          for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
          expect(worst).toBeLessThanOrEqual(1e-6);
        }
        expect(b).toBe(4);
      }
    });
  }
});

describe('the per-item path with tensors already on the GPU', () => {
  const x = () => fromArray(Array.from({ length: 12 }, (_, i) => i / 2), [6, 2], { device: gpu });
  const y = () => arange(6, undefined, 1, { device: gpu });

  it('stacks items on the device', async () => {
    const loader = new DataLoader(new TensorDataset(x(), y()), { batchSize: 4, device: gpu });
    const batches: Tensor[][] = [];
    for await (const batch of loader) batches.push(batch.map(keep));
    expect(batches.map(([b]) => b.shape)).toEqual([[4, 2], [2, 2]]);
    expect(batches[0][0].device).toBe(gpu);
    expect(Array.from(await batches[1][0].toArray())).toEqual([4, 4.5, 5, 5.5]);
    expect(Array.from(await batches[1][1].toArray())).toEqual([4, 5]);
  });

  it('reads batches back for a cpu loader', async () => {
    const loader = new DataLoader(new TensorDataset(x(), y()), { batchSize: 6, device: 'cpu' });
    for await (const [bx, by] of loader) {
      expect(bx.device.type).toBe('cpu');
      expect(Array.from(bx.storage.array)).toEqual(Array.from({ length: 12 }, (_, i) => i / 2));
      expect(Array.from(by.storage.array)).toEqual([0, 1, 2, 3, 4, 5]);
    }
  });
});

describe('DataLoader backpressure', () => {
  it('a training-like loop over its batches that never reads back keeps at most maxInFlight submits queued', async () => {
    const { flush, matmul, randn, tidy, WebGPURuntime } = await import('@mini/tensor');
    const w = randn([784, 512], { device: gpu, generator: new Generator(5) });
    let peak = 0;
    let batches = 0;
    for await (const [images, labels] of new DataLoader(train, { batchSize: 256 })) {
      // Two products of a few hundred MFLOP per batch: far slower on the software GPU than recording them.
      tidy(() => void matmul(matmul(images.reshape([images.size(0), -1]), w), w.t()));
      flush();
      images.dispose();
      labels.dispose();
      peak = Math.max(peak, gpu.gpu.inFlightSubmits);
      batches++;
    }
    expect(batches).toBe(32);
    expect(peak).toBeLessThanOrEqual(WebGPURuntime.maxInFlight + 1);
    w.dispose();
  });
});
