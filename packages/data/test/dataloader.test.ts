import { describe, expect, it } from 'vitest';
import { arange, fromArray, Generator, isTensor, keep, memory, type Tensor } from '@mini/tensor';
import { DataLoader, Dataset, defaultCollate, Lambda, TensorDataset } from '@mini/data';
import { MNIST } from '@mini/data/node';
import { imagesIdx, label, labelsIdx, pixel, tempDir, writeSplit } from './idx-files.ts';

/** Item i: its index as a row [i, -i], and i as an integer label. */
const rows = new TensorDataset(fromArray(Array.from({ length: 10 }, (_, i) => [i, -i]).flat(), [10, 2], { device: 'cpu' }), arange(10, undefined, 1, { device: 'cpu' }));

async function firstColumn(batches: AsyncIterable<Tensor[]>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const [x, y] of batches) {
    expect(x.device.type).toBe('cpu');
    const xs = Array.from(await x.toArray()).filter((_, k) => k % 2 === 0);
    expect(Array.from(await y.toArray())).toEqual(xs);
    out.push(xs);
  }
  return out;
}

describe('DataLoader on the cpu device (per-item path)', () => {
  it('has length = number of batches, with and without dropLast', () => {
    expect(new DataLoader(rows, { batchSize: 3, device: 'cpu' }).length).toBe(4);
    expect(new DataLoader(rows, { batchSize: 3, dropLast: true, device: 'cpu' }).length).toBe(3);
    expect(new DataLoader(rows, { device: 'cpu' }).length).toBe(10);
    expect(() => new DataLoader(rows, { batchSize: 0 })).toThrow('batch_size should be a positive integer value, but got batch_size=0');
  });

  it('yields batches in order without shuffle, the last one short unless dropped', async () => {
    expect(await firstColumn(new DataLoader(rows, { batchSize: 4, device: 'cpu' }))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(await firstColumn(new DataLoader(rows, { batchSize: 4, dropLast: true, device: 'cpu' }))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
  });

  it('reshuffles every epoch from the seeded generator, reproducibly', async () => {
    const loader = new DataLoader(rows, { batchSize: 3, shuffle: true, generator: new Generator(7), device: 'cpu' });
    const epoch1 = (await firstColumn(loader)).flat();
    const epoch2 = (await firstColumn(loader)).flat();
    expect([...epoch1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...epoch2].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch2).not.toEqual(epoch1);
    const again = new DataLoader(rows, { batchSize: 3, shuffle: true, generator: new Generator(7), device: 'cpu' });
    expect((await firstColumn(again)).flat()).toEqual(epoch1);
  });

  it("resumes the order from the generator's saved state", async () => {
    const generator = new Generator(3);
    const loader = new DataLoader(rows, { batchSize: 5, shuffle: true, generator, device: 'cpu' });
    await firstColumn(loader);
    const state = generator.getState();
    const next = await firstColumn(loader);
    generator.setState(state);
    expect(await firstColumn(loader)).toEqual(next);
  });

  it('collates tuples of tensors, numbers, booleans and strings, and plain objects', async () => {
    class Mixed extends Dataset<[Tensor, number, number, boolean, string, { id: number }]> {
      get length() {
        return 3;
      }
      getItem(i: number): [Tensor, number, number, boolean, string, { id: number }] {
        return [fromArray([i, i + 0.5], [2], { device: 'cpu' }), i, i / 4, i % 2 === 0, `item ${i}`, { id: 10 * i }];
      }
    }
    const [batch] = await all(new DataLoader(new Mixed(), { batchSize: 3, device: 'cpu' }));
    const [t, ints, reals, flags, names, obj] = batch;
    expect(t.shape).toEqual([3, 2]);
    expect(Array.from(await t.toArray())).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(ints.dtype).toBe('int32');
    expect(reals.dtype).toBe('float32');
    expect(Array.from(await reals.toArray())).toEqual([0, 0.25, 0.5]);
    expect(flags.dtype).toBe('bool');
    expect(Array.from(await flags.toArray())).toEqual([1, 0, 1]);
    expect(names).toEqual(['item 0', 'item 1', 'item 2']);
    expect(Array.from(await obj.id.toArray())).toEqual([0, 10, 20]);
  });

  it('uses a custom collateFn', async () => {
    const loader = new DataLoader(rows, { batchSize: 4, device: 'cpu', collateFn: (items) => items.length });
    expect(await all(loader)).toEqual([4, 4, 2]);
  });

  it("rejects items of different shapes in PyTorch's words", () => {
    const a = fromArray([1, 2], [2], { device: 'cpu' });
    const b = fromArray([1, 2, 3], [3], { device: 'cpu' });
    expect(() => defaultCollate([a, b])).toThrow('stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1');
  });

  it('runs a transform it cannot batch on the host, item by item', async () => {
    // A Lambda is not a recognised pipeline: the per-item path applies it to each uint8 image.
    const root = tempDir();
    writeSplit(root, 'MNIST', 'train', imagesIdx(5), labelsIdx(5));
    const ds = new MNIST(root, { transform: Lambda((img) => img.float().unsqueeze(0)) });
    const [[x, y]] = await all(new DataLoader(ds, { batchSize: 5, device: 'cpu' }));
    expect(x.shape).toEqual([5, 1, 28, 28]);
    expect((await x.toArray())[3 * 784 + 9]).toBe(pixel(3, 9));
    expect(Array.from(await y.toArray())).toEqual([0, 1, 2, 3, 4].map(label));
  });

  it('with no transform, batches the raw uint8 images like the items', async () => {
    const root = tempDir();
    writeSplit(root, 'MNIST', 'train', imagesIdx(3), labelsIdx(3));
    const [[x, y]] = await all(new DataLoader(await new MNIST(root).ready, { batchSize: 3, device: 'cpu' }));
    expect(x.shape).toEqual([3, 28, 28]);
    expect(x.dtype).toBe('uint8');
    expect((await x.toArray())[2 * 784 + 500]).toBe(pixel(2, 500));
    expect(y.dtype).toBe('int32');
  });

  it('raises the dataset loading error from the epoch', async () => {
    const loader = new DataLoader(new MNIST(tempDir()), { batchSize: 2, device: 'cpu' });
    await expect(all(loader)).rejects.toThrow('Dataset not found: MNIST train needs');
  });
});

/** Every batch of one epoch, its tensors kept past the loader's release of each batch. */
async function all<B>(loader: AsyncIterable<B>): Promise<B[]> {
  const out: B[] = [];
  const keepAll = (value: unknown): void => {
    if (isTensor(value)) keep(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(keepAll);
  };
  for await (const b of loader) {
    keepAll(b);
    out.push(b);
  }
  return out;
}

describe('options', () => {
  it('an unknown option of DataLoader or of a dataset is an error naming it', () => {
    expect(() => new DataLoader(rows, { batch_size: 4 } as never)).toThrow("DataLoader() got an unexpected keyword argument 'batch_size'");
    expect(() => new MNIST(tempDir(), { downlad: true } as never)).toThrow("MNIST() got an unexpected keyword argument 'downlad'");
  });
});

describe('DataLoader batch release', () => {
  const liveTensors = () => memory().liveTensors;

  it('disposes each batch when the next one is drawn, and the last one when the epoch ends', async () => {
    const loader = new DataLoader(rows, { batchSize: 3, device: 'cpu' });
    const before = liveTensors();
    const seen: Tensor[][] = [];
    for await (const batch of loader) {
      // Only the batch in hand is alive: its data and labels.
      expect(liveTensors() - before).toBe(2);
      expect(seen.flat().every((t) => t.isDisposed)).toBe(true);
      seen.push(batch);
    }
    expect(seen).toHaveLength(4);
    expect(seen.flat().every((t) => t.isDisposed)).toBe(true);
    expect(liveTensors()).toBe(before);
  });

  it('disposes the batch in hand when the loop breaks', async () => {
    const loader = new DataLoader(rows, { batchSize: 4, device: 'cpu' });
    const before = liveTensors();
    let first: Tensor[] = [];
    for await (const batch of loader) {
      first = batch;
      break;
    }
    expect(first.every((t) => t.isDisposed)).toBe(true);
    expect(liveTensors()).toBe(before);
  });

  it('leaves alone what keep() took out and what the loop already disposed', async () => {
    const loader = new DataLoader(rows, { batchSize: 4, device: 'cpu' });
    const before = liveTensors();
    const kept: Tensor[] = [];
    for await (const [x, y] of loader) {
      kept.push(keep(x));
      y.dispose();
    }
    expect(kept.some((t) => t.isDisposed)).toBe(false);
    expect(liveTensors() - before).toBe(3);
    expect(Array.from(await kept[2].toArray())).toEqual([8, -8, 9, -9]);
    kept.forEach((t) => t.dispose());
    expect(liveTensors()).toBe(before);
  });
});
