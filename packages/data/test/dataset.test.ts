import { describe, expect, it } from 'vitest';
import { arange, Generator, tensor } from '@mini/tensor';
import { randomSplit, Subset, TensorDataset } from '@mini/data';

describe('TensorDataset', () => {
  it('indexes rows of every tensor', async () => {
    const x = arange(12).reshape(4, 3);
    const y = tensor([10, 11, 12, 13]);
    const ds = new TensorDataset(x, y);
    expect(ds.length).toBe(4);
    const [row, label] = ds.getItem(2);
    expect(Array.from(await row.toArray())).toEqual([6, 7, 8]);
    expect(await label.item()).toBe(12);
    expect(Array.from(await ds.getItem(-1)[0].toArray())).toEqual([9, 10, 11]);
  });

  it('rejects tensors of different lengths and out-of-range indices', () => {
    expect(() => new TensorDataset(arange(3), arange(4))).toThrow('Size mismatch between tensors: expected the same size in dim 0, found 3, 4');
    expect(() => new TensorDataset(arange(3)).getItem(3)).toThrow('index 3 is out of bounds for dimension 0 with size 3');
  });
});

describe('Subset and randomSplit', () => {
  const ds = new TensorDataset(arange(10));
  const valuesOf = (s: Subset<unknown>) => Array.from(s.indices);

  it('Subset picks items in the given order', async () => {
    const s = new Subset(ds, [7, 2, 5]);
    expect(s.length).toBe(3);
    expect(await (s.getItem(1) as ReturnType<typeof ds.getItem>)[0].item()).toBe(2);
  });

  it('splits into disjoint subsets that cover the dataset, reproducibly from the generator', () => {
    const parts = randomSplit(ds, [3, 7], new Generator(42));
    expect(parts.map((p) => p.length)).toEqual([3, 7]);
    expect([...valuesOf(parts[0]), ...valuesOf(parts[1])].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(randomSplit(ds, [3, 7], new Generator(42)).map(valuesOf)).toEqual(parts.map(valuesOf));
    expect(randomSplit(ds, [3, 7], new Generator(43)).map(valuesOf)).not.toEqual(parts.map(valuesOf));
  });

  it('takes fractions, dealing the remainder round-robin like PyTorch', () => {
    // Expected lengths: torch.utils.data.random_split(range(n), fractions) in torch 1.13 (python3).
    expect(randomSplit(ds, [0.25, 0.25, 0.5], new Generator(0)).map((p) => p.length)).toEqual([3, 2, 5]);
    expect(randomSplit(ds, [0.3, 0.3, 0.4], new Generator(0)).map((p) => p.length)).toEqual([3, 3, 4]);
    expect(randomSplit(new TensorDataset(arange(7)), [0.5, 0.5], new Generator(0)).map((p) => p.length)).toEqual([4, 3]);
    expect(randomSplit(ds, [1], new Generator(0))[0].length).toBe(10);
  });

  it("rejects lengths that do not add up, in PyTorch's words", () => {
    expect(() => randomSplit(ds, [3, 6])).toThrow('Sum of input lengths does not equal the length of the input dataset! (lengths sum to 9, the dataset holds 10)');
    expect(() => randomSplit(ds, [11, -1])).toThrow('randomSplit: lengths must be non-negative integers or fractions that sum to 1, found [11, -1]');
  });
});
